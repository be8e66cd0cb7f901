// The secret: digests are keyed with it (another secret's digest never matches), bound to the
// subject, and a rotation keeps codes issued under the old secret valid until they expire.
import { test } from 'tap'
import { startTopology, topologies } from '../helpers/redis.js'
import { codes, OLD_SECRET, SECRET } from './helpers.js'

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)

    await t.test('rotation: [new, old] verifies codes issued under old; new codes use new', async t => {
      const redis = h.client()
      const before = codes(redis, { secret: OLD_SECRET })
      const prefix = before.options.prefix
      const old = await before.issue('s1')
      const rotated = codes(redis, { prefix, secret: [SECRET, OLD_SECRET], cooldown: 0 })
      t.equal((await rotated.verify('s1', old.code)).result, 'ok', 'a code from before the rotation still verifies')
      const fresh = await rotated.issue('s2')
      const newOnly = codes(redis, { prefix, secret: SECRET })
      t.equal((await newOnly.verify('s2', fresh.code)).result, 'ok', 'issued under the first secret')
    })

    await t.test('another secret, or another subject, never verifies a code', async t => {
      const redis = h.client()
      const otp = codes(redis, { cooldown: 0 })
      const prefix = otp.options.prefix
      const { code } = await otp.issue('s3')
      const stranger = codes(redis, { prefix, secret: 'a-completely-different-32-byte-secret!' })
      t.equal((await stranger.verify('s3', code)).result, 'wrong', 'a digest under another secret does not match')
      // Copy s3's stored digest onto s4's key: the digest covers the subject, so it does not verify there.
      await otp.issue('s4')
      const stored = await redis.get(otp.redisKey('s3'))
      await redis.set(otp.redisKey('s4'), stored ?? '', 'KEEPTTL')
      t.equal((await otp.verify('s4', code)).result, 'wrong')
      t.equal((await otp.verify('s3', code)).result, 'ok')
    })
  })
}
