// Expiry and the resend cooldown: an expired code answers 'expired'; a second issue() within the
// cooldown is refused with FRP_OTP_COOLDOWN and retryAfterMs, changing nothing; on both topologies.
import { test } from 'tap'
import { eventually, startTopology, topologies } from '../helpers/redis.js'
import { codes, wrongCode } from './helpers.js'
import type { OtpCooldownError } from '../../lib/otp/one-time-codes.js'

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)

    await t.test('a code past its TTL answers expired, even the right one', async t => {
      const redis = h.client()
      const otp = codes(redis, { ttl: 1000 })
      const { code } = await otp.issue('late@example.com')
      await eventually(async () => await redis.exists(otp.redisKey('late@example.com')) === 0, { what: 'the code to expire' })
      t.strictSame(await otp.verify('late@example.com', code), { result: 'expired', attemptsLeft: 0 })
    })

    await t.test('within the cooldown, issue() is refused with a 429 and the time left; the code in force is untouched', async t => {
      const redis = h.client()
      const otp = codes(redis, { cooldown: '1m' })
      const { code } = await otp.issue('a@example.com')
      const err = await otp.issue('a@example.com').then(() => null, (e: OtpCooldownError) => e)
      t.equal(err?.code, 'FRP_OTP_COOLDOWN')
      t.equal(err?.statusCode, 429)
      t.ok(err !== null && err.retryAfterMs > 0 && err.retryAfterMs <= 60_000, `retryAfterMs in (0, 60000]: ${err?.retryAfterMs}`)
      t.match(err?.message, /retry in \d+ s/)
      t.notOk(err?.stack?.includes('one-time-codes') === true, 'no stack trace for an expected refusal')
      t.equal((await redis.get(otp.redisKey('a@example.com')))?.slice(43), '5')
      t.equal((await otp.verify('a@example.com', code)).result, 'ok', 'the first code still verifies')
      await t.rejects(otp.issue('a@example.com'), { code: 'FRP_OTP_COOLDOWN' }, 'using the code does not end the cooldown')
      t.ok(await otp.issue('b@example.com'), 'the cooldown is per subject')
    })

    await t.test('the cooldown ends by itself, and a new code can then be issued', async t => {
      const redis = h.client()
      const otp = codes(redis, { cooldown: 1000 })
      const first = await otp.issue('c@example.com')
      await t.rejects(otp.issue('c@example.com'), { code: 'FRP_OTP_COOLDOWN' })
      const second = await eventually(async () => await otp.issue('c@example.com').catch(() => null), { what: 'the cooldown to end' })
      t.ok(second)
      if (second !== null && second.code !== first.code) t.equal((await otp.verify('c@example.com', first.code)).result, 'wrong')
    })

    await t.test('a burnt code can be replaced after the cooldown: the user asks for a new one', async t => {
      const otp = codes(h.client(), { cooldown: 0, attempts: 1 })
      const { code } = await otp.issue('d')
      t.equal((await otp.verify('d', wrongCode(code))).result, 'exhausted')
      const fresh = await otp.issue('d')
      t.equal((await otp.verify('d', fresh.code)).result, 'ok')
    })

    await t.test('revoke() deletes the code and keeps the cooldown', async t => {
      const redis = h.client()
      const otp = codes(redis)
      const { code } = await otp.issue('e')
      t.equal(await otp.revoke('e'), true)
      t.equal(await otp.revoke('e'), false, 'nothing left to revoke')
      t.equal((await otp.verify('e', code)).result, 'expired')
      await t.rejects(otp.issue('e'), { code: 'FRP_OTP_COOLDOWN' })
    })
  })
}
