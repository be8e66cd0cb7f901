// Issue 20 "Bad input": a brute force on one-time codes is stopped by the attempt limit and the
// route's rate limit together. 10,000 guesses at Ada's 6-digit code (5 wrong attempts allowed),
// the right code among them right after the fifth: from one address the route's per-IP limit
// stops all but 10; from 10,000 addresses the per-address limit and the attempt limit stop them.
// No guess ever logs in, and the code the attacker burnt no longer works for Ada either.
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { startRedis } from '../helpers/redis.js'
import { ADA } from '../helpers/example-app.js'
import { exampleApp, mailbox } from '../helpers/otp.js'

const GUESSES = 10_000

/** 10,000 distinct 6-digit guesses: wrong ones, with the right code as the 7th. */
function guesses (code: string): string[] {
  const list: string[] = []
  for (let n = 0; list.length < GUESSES - 1; n++) {
    const g = String(n).padStart(6, '0')
    if (g !== code) list.push(g)
  }
  list.splice(6, 0, code)
  return list
}

async function attack (server: FastifyInstance, code: string, from: (i: number) => string): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>()
  const list = guesses(code)
  for (let i = 0; i < list.length; i++) {
    const res = await server.inject({ method: 'POST', url: '/api/otp/verify', payload: { email: ADA.email, code: list[i] }, remoteAddress: from(i) })
    const key = res.statusCode === 401 ? `401 ${res.json().result as string}` : String(res.statusCode)
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
  }
  return outcomes
}

for (const [what, from] of [
  ['one address', () => '198.51.100.7'],
  ['10,000 addresses', (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`]
] as Array<[string, (i: number) => string]>) {
  test(`10,000 guesses from ${what} never find the code`, async t => {
    const redis = await startRedis(t)
    const { server, app } = await exampleApp(t, redis.url)
    const box = mailbox(app)
    t.equal((await server.inject({ method: 'POST', url: '/api/otp/request', payload: { email: ADA.email } })).statusCode, 202)
    const code = box.codes.get(`login:${ADA.email}`) ?? ''

    const outcomes = await attack(server, code, from)
    t.equal(outcomes.get('200'), undefined, `no guess logged in (${JSON.stringify(Object.fromEntries(outcomes))})`)
    t.equal([...outcomes.values()].reduce((a, b) => a + b, 0), GUESSES)
    t.equal(outcomes.get('401 wrong'), 4, 'four wrong guesses were checked')
    t.equal(outcomes.get('401 exhausted'), 6, 'the fifth burnt the code; later ones, the right one included, found it burnt')
    t.equal(outcomes.get('429'), GUESSES - 10, 'everything else was refused by the rate limits before any check')

    // The per-address limit is spent too (10 per 15 minutes): Ada waits it out, as after a password attack.
    const legit = await server.inject({ method: 'POST', url: '/api/otp/verify', payload: { email: ADA.email, code }, remoteAddress: '203.0.113.1' })
    t.equal(legit.statusCode, 429, "Ada's own address is limited for now")
    t.strictSame(await app.otp.verify(`login:${ADA.email}`, code), { result: 'exhausted', attemptsLeft: 0 }, 'and the code is burnt')
    t.equal(await app.redis.get(app.otp.redisKey(`login:${ADA.email}`)), '-', 'the digest is gone: a tombstone stays')
    const resend = await server.inject({ method: 'POST', url: '/api/otp/request', payload: { email: ADA.email }, remoteAddress: '203.0.113.2' })
    t.equal(resend.statusCode, 429, 'and a fresh code (with fresh attempts) waits for the cooldown')
  })
}
