// Issue and verify: a code is used once, wrong guesses spend attempts and the last one burns it,
// and Redis never holds the code, on standalone and Cluster.
import { test } from 'tap'
import { startTopology, topologies } from '../helpers/redis.js'
import { redisMs } from '../helpers/redis-time.js'
import { codes, wrongCode } from './helpers.js'

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)

    await t.test('a right code verifies once, then the subject has no code', async t => {
      const redis = h.client()
      const otp = codes(redis)
      const before = await redisMs(redis)
      const { code, expiresAt } = await otp.issue('ada@example.com')
      t.match(code, /^[0-9]{6}$/, 'six digits by default')
      t.ok(expiresAt >= before + 300_000 && expiresAt <= await redisMs(redis) + 300_000, 'expiresAt is Redis time + the 5 minute default TTL')
      const pttl = await redis.pttl(otp.redisKey('ada@example.com'))
      t.ok(pttl > 0 && pttl <= 300_000, 'the code key expires with the code')

      t.strictSame(await otp.verify('ada@example.com', code), { result: 'ok', attemptsLeft: 0 })
      t.equal(await redis.exists(otp.redisKey('ada@example.com')), 0, 'deleted on success')
      t.strictSame(await otp.verify('ada@example.com', code), { result: 'expired', attemptsLeft: 0 }, 'single use')
      t.strictSame(await otp.verify('nobody@example.com', code), { result: 'expired', attemptsLeft: 0 }, 'never issued reads as expired')
    })

    await t.test('Redis holds the HMAC of the code, never the code', async t => {
      const redis = h.client()
      const otp = codes(redis)
      const { code } = await otp.issue('grace@example.com')
      const stored = await redis.get(otp.redisKey('grace@example.com')) ?? ''
      t.match(stored, /^[A-Za-z0-9_-]{43}5$/, 'a 256-bit digest, base64url, then the attempts left')
      t.notOk(stored.slice(0, 43).includes(code), 'the digest does not contain the code')
      t.equal(await redis.get(otp.redisKey('grace@example.com') + ':cooldown'), '1', 'the cooldown key holds no code either')
    })

    await t.test('wrong guesses count down; the last one burns the code, even for the right code after it', async t => {
      const redis = h.client()
      const otp = codes(redis, { attempts: 3 })
      const { code } = await otp.issue('u1')
      const wrong = wrongCode(code)
      t.strictSame(await otp.verify('u1', wrong), { result: 'wrong', attemptsLeft: 2 })
      t.strictSame(await otp.verify('u1', wrong), { result: 'wrong', attemptsLeft: 1 })
      t.strictSame(await otp.verify('u1', wrong), { result: 'exhausted', attemptsLeft: 0 }, 'the third wrong guess burns it')
      t.strictSame(await otp.verify('u1', code), { result: 'exhausted', attemptsLeft: 0 }, 'the right code no longer works')
      t.equal(await redis.get(otp.redisKey('u1')), '-', 'the digest is gone; the tombstone stays until the code would have expired')
      const pttl = await redis.pttl(otp.redisKey('u1'))
      t.ok(pttl > 0, 'the tombstone keeps the code TTL')
    })

    await t.test('a right guess after wrong ones still works while attempts remain', async t => {
      const otp = codes(h.client())
      const { code } = await otp.issue('u2')
      t.equal((await otp.verify('u2', wrongCode(code))).result, 'wrong')
      t.equal((await otp.verify('u2', '12')).result, 'wrong', 'a guess of another length is a wrong guess too')
      t.strictSame(await otp.verify('u2', code), { result: 'ok', attemptsLeft: 0 })
    })

    await t.test('a new code replaces the old one and its attempt count', async t => {
      const redis = h.client()
      const otp = codes(redis, { cooldown: 0, attempts: 2 })
      const first = await otp.issue('u3')
      t.equal((await otp.verify('u3', wrongCode(first.code))).attemptsLeft, 1)
      const second = await otp.issue('u3')
      if (second.code !== first.code) t.equal((await otp.verify('u3', first.code)).result, 'wrong', 'the old code no longer verifies')
      t.equal((await redis.get(otp.redisKey('u3')))?.slice(43), second.code !== first.code ? '1' : '2', 'the new code starts from the full attempt count')
      t.equal((await otp.verify('u3', second.code)).result, 'ok')
    })

    await t.test('subjects are independent; a subject with braces stays in one slot', async t => {
      const otp = codes(h.client(), { cooldown: 0 })
      const a = await otp.issue('{a}')
      const b = await otp.issue('b}{')
      t.equal((await otp.verify('b}{', a.code === b.code ? wrongCode(a.code) : a.code)).result, 'wrong', "a's code is not b's")
      t.equal((await otp.verify('{a}', a.code)).result, 'ok')
      t.equal((await otp.verify('b}{', b.code)).result, 'ok')
    })

    await t.test('per-call options: ttl, attempts and cooldown', async t => {
      const redis = h.client()
      const otp = codes(redis)
      await otp.issue('u4', { ttl: '30s', attempts: 1, cooldown: 0 })
      const pttl = await redis.pttl(otp.redisKey('u4'))
      t.ok(pttl > 0 && pttl <= 30_000, 'the call TTL')
      t.equal(await redis.exists(otp.redisKey('u4') + ':cooldown'), 0, 'no cooldown key with cooldown 0')
      t.strictSame(await otp.verify('u4', 'xxxxxx'), { result: 'exhausted', attemptsLeft: 0 }, 'attempts 1: the first wrong guess burns it')
      await t.rejects(otp.issue('u4', { ttl: 10 }), { code: 'FRP_INVALID_OPTION', message: /otp\.issue\.ttl/ })
      await t.rejects(otp.issue('u4', { attempts: 0 }), { code: 'FRP_INVALID_OPTION', message: /otp\.issue\.attempts/ })
      await t.rejects(otp.issue('u4', { cooldwn: 1 } as object), { code: 'FRP_INVALID_OPTION', message: /otp\.issue\.cooldwn/ })
    })
  })
}
