// Passwordless login by one-time code in the example app: POST /api/otp/request mails a code to an
// account (and says the same for any address), POST /api/otp/verify logs the user in once; wrong,
// reused and unknown codes are 401 with the result; a resend within a minute is 429; bad input is a
// 400 naming the field, with no attempt spent.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { ADA, sessionCookie } from '../helpers/example-app.js'
import { exampleApp, mailbox, otherCode } from '../helpers/otp.js'

test('request a code, log in with it once; wrong and used codes are refused', async t => {
  const redis = await startRedis(t)
  const { server, app } = await exampleApp(t, redis.url)
  const box = mailbox(app)
  const sentBefore = app.repos.emails.count()

  const requested = await server.inject({ method: 'POST', url: '/api/otp/request', payload: { email: 'Ada@Example.com' } })
  t.equal(requested.statusCode, 202)
  t.strictSame(requested.json(), { sent: true, expiresInMs: 300_000 })
  t.strictSame(box.sentTo, [ADA.email], 'one e-mail, to the account (address lower-cased)')
  const code = box.codes.get(`login:${ADA.email}`) ?? ''
  t.match(code, /^\d{6}$/)
  await eventually(() => app.repos.emails.count() === sentBefore + 1, { ms: 10_000, what: 'the e-mail worker to send it' })

  const wrong = await server.inject({ method: 'POST', url: '/api/otp/verify', payload: { email: ADA.email, code: otherCode(code) } })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.json(), { statusCode: 401, result: 'wrong', attemptsLeft: 4, message: 'Wrong code' })

  const ok = await server.inject({ method: 'POST', url: '/api/otp/verify', payload: { email: ADA.email, code } })
  t.equal(ok.statusCode, 200)
  t.strictSame(ok.json(), { userId: ADA.id })
  const me = await server.inject({ url: '/api/me', headers: { cookie: sessionCookie(ok) } })
  t.equal(me.statusCode, 200, 'the session is logged in')
  t.equal(me.json().user.email, ADA.email)

  const again = await server.inject({ method: 'POST', url: '/api/otp/verify', payload: { email: ADA.email, code } })
  t.equal(again.statusCode, 401)
  t.match(again.json(), { result: 'expired', attemptsLeft: 0 }, 'a code logs in once')
})

test('a resend within the cooldown is 429; an unknown address gets the same answers and no e-mail', async t => {
  const redis = await startRedis(t)
  const { server, app } = await exampleApp(t, redis.url)
  const box = mailbox(app)
  const first = await server.inject({ method: 'POST', url: '/api/otp/request', payload: { email: ADA.email }, remoteAddress: '10.0.2.1' })
  t.equal(first.statusCode, 202)
  const resend = await server.inject({ method: 'POST', url: '/api/otp/request', payload: { email: ADA.email }, remoteAddress: '10.0.2.2' })
  t.equal(resend.statusCode, 429)
  const body = resend.json()
  t.ok(body.retryAfterMs > 0 && body.retryAfterMs <= 60_000, `retryAfterMs ${body.retryAfterMs}`)
  t.equal(resend.headers['retry-after'], String(Math.ceil(body.retryAfterMs / 1000)))

  const stranger = 'nobody@example.com'
  const unknown = await server.inject({ method: 'POST', url: '/api/otp/request', payload: { email: stranger }, remoteAddress: '10.0.2.3' })
  t.equal(unknown.statusCode, 202, 'the same answer as for an account')
  t.equal((await server.inject({ method: 'POST', url: '/api/otp/request', payload: { email: stranger }, remoteAddress: '10.0.2.4' })).statusCode, 429, 'and the same cooldown')
  t.strictSame(box.sentTo, [ADA.email], 'no e-mail to an address without an account')
  const guessed = await server.inject({ method: 'POST', url: '/api/otp/verify', payload: { email: stranger, code: box.codes.get(`login:${stranger}`) } })
  t.equal(guessed.statusCode, 401, 'even the right code logs nobody in without an account')
  t.match(guessed.json(), { result: 'expired' })
})

test('bad input is a 400 naming the field; no code issued, no attempt spent', async t => {
  const redis = await startRedis(t)
  const { server, app } = await exampleApp(t, redis.url)
  const box = mailbox(app)
  const badRequests: Array<[unknown, RegExp]> = [
    [{}, /email/], [{ email: 'not-an-address' }, /email/], [{ email: '' }, /email/], [{ email: `${'a'.repeat(250)}@example.com` }, /email/],
    [{ email: ['a@example.com', 'b@example.com'] }, /email/], [{ email: ADA.email, admin: true }, /additional/], ['email=a@b.c', /./]
  ]
  // Each from its own address: the request route allows 5 per minute per IP.
  let ip = 10
  for (const [payload, field] of badRequests) {
    const res = await server.inject({ method: 'POST', url: '/api/otp/request', payload: payload as object, remoteAddress: `10.0.3.${ip++}` })
    t.equal(res.statusCode, typeof payload === 'string' ? 415 : 400, `request ${JSON.stringify(payload)}`)
    t.match(res.json().message, field)
  }
  t.equal(box.codes.size, 0, 'no code issued')

  t.equal((await server.inject({ method: 'POST', url: '/api/otp/request', payload: { email: ADA.email } })).statusCode, 202)
  const badGuesses: Array<[unknown, RegExp]> = [
    [{ email: ADA.email }, /code/], [{ email: ADA.email, code: '' }, /code/], [{ email: ADA.email, code: '12345' }, /code/],
    [{ email: ADA.email, code: '1234567' }, /code/], [{ email: ADA.email, code: '12a456' }, /code/], [{ email: ADA.email, code: ' 123456' }, /code/],
    [{ email: ADA.email, code: '1'.repeat(10_000) }, /code/], [{ email: ADA.email, code: { $gt: '' } }, /code/], [{ code: '123456' }, /email/]
  ]
  for (const [payload, field] of badGuesses) {
    const res = await server.inject({ method: 'POST', url: '/api/otp/verify', payload: payload as object, remoteAddress: `10.0.3.${ip++}` })
    t.equal(res.statusCode, 400, `verify ${JSON.stringify(payload).slice(0, 60)}`)
    t.match(res.json().message, field)
  }
  t.equal((await app.redis.get(app.otp.redisKey(`login:${ADA.email}`)))?.slice(43), '5', 'no attempt spent')
})
