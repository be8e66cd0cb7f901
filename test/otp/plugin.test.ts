// The plugin: fastify.otp, its events, option errors at registration, and the startup policy
// (Redis down: register anyway, warn once, 503 coded, work once Redis is up).
import { test } from 'tap'
import { redisOtp } from '../../plugins/otp.js'
import { OneTimeCodes, type OtpResult } from '../../lib/otp/one-time-codes.js'
import { startRedis, eventually } from '../helpers/redis.js'
import { pluginApp } from '../helpers/app.js'
import { downRedis, loggedApp, startupWarnings } from '../helpers/startup.js'
import { SECRET } from './helpers.js'

test('fastify.otp issues and verifies; events report each step', async t => {
  const r = await startRedis(t)
  const app = await pluginApp(t, r.client(), redisOtp, { secret: SECRET, prefix: 'plug', cooldown: '10s' })
  t.ok(app.otp instanceof OneTimeCodes)
  const seen: Array<[string, ...unknown[]]> = []
  app.otp.on('issued', (subject, expiresAt) => seen.push(['issued', subject, typeof expiresAt]))
  app.otp.on('cooldown', (subject, ms) => seen.push(['cooldown', subject, ms > 0]))
  app.otp.on('verified', (subject: string, result: OtpResult, left: number) => seen.push(['verified', subject, result, left]))
  const { code } = await app.otp.issue('p@example.com')
  await t.rejects(app.otp.issue('p@example.com'), { code: 'FRP_OTP_COOLDOWN' })
  await app.otp.verify('p@example.com', code === '000000' ? '111111' : '000000')
  await app.otp.verify('p@example.com', code)
  t.strictSame(seen, [
    ['issued', 'p@example.com', 'number'],
    ['cooldown', 'p@example.com', true],
    ['verified', 'p@example.com', 'wrong', 4],
    ['verified', 'p@example.com', 'ok', 0]
  ])
})

test('option errors fail registration, naming the option', async t => {
  const r = await startRedis(t)
  const { app } = loggedApp(t)
  app.register(redisOtp, { client: r.client() } as never)
  await t.rejects(async () => { await app.ready() }, { code: 'FRP_INVALID_OPTION', message: /"otp\.secret": is required/ })
  const { app: app2 } = loggedApp(t)
  app2.register(redisOtp, { secret: SECRET })
  await t.rejects(async () => { await app2.ready() }, { code: 'FRP_INVALID_OPTION', message: /^Invalid option "redisOtp\.client"/ })
})

test('Redis down at startup: the app starts, calls answer 503 coded, then work once Redis is up', async t => {
  const down = await downRedis(t)
  const logged = loggedApp(t)
  const { app } = logged
  await app.register(redisOtp, { client: down.client, secret: SECRET, cooldown: 0 })
  await app.ready()
  const warned = startupWarnings(logged, 'otp')
  t.equal(warned.length, 1, 'one startup warning')
  t.equal(warned[0].err, undefined, 'no stack trace in it')
  await t.rejects(app.otp.issue('x'), { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/, statusCode: 503 })
  await t.rejects(app.otp.verify('x', '123456'), { code: /^FRP_REDIS_(UNAVAILABLE|TIMEOUT)$/, statusCode: 503 })
  await down.up()
  const issued = await eventually(async () => await app.otp.issue('x').catch(() => null), { ms: 10_000, every: 100, what: 'issue() once Redis is up' })
  t.equal((await app.otp.verify('x', issued?.code ?? '')).result, 'ok')
})
