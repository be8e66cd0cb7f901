// Bad input to issue() and verify(): a coded 400 naming the argument, and nothing written or
// spent; on both topologies.
import { test } from 'tap'
import { startTopology, topologies } from '../helpers/redis.js'
import { codes } from './helpers.js'

const BAD_SUBJECTS: Array<[string, unknown]> = [
  ['empty', ''], ['a number', 42], ['null', null], ['undefined', undefined], ['an object', { id: 1 }], ['513 characters', 'x'.repeat(513)]
]
const BAD_CODES: Array<[string, unknown]> = [
  ['empty', ''], ['a number', 123456], ['null', null], ['an array', ['1']], ['257 characters', '1'.repeat(257)]
]

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)
    const redis = h.client()
    const otp = codes(redis)

    await t.test('a subject that is not a string of 1 to 512 characters', async t => {
      for (const [what, subject] of BAD_SUBJECTS) {
        await t.rejects(otp.issue(subject as string), { code: 'FRP_OTP_ARGUMENT', statusCode: 400, message: /"subject"/ }, `issue: ${what}`)
        await t.rejects(otp.verify(subject as string, '123456'), { code: 'FRP_OTP_ARGUMENT', statusCode: 400, message: /"subject"/ }, `verify: ${what}`)
      }
      t.ok(await otp.issue('x'.repeat(512)), '512 characters is fine')
    })

    await t.test('a guess that is not a string of 1 to 256 characters spends no attempt', async t => {
      await otp.issue('bad-code')
      for (const [what, code] of BAD_CODES) {
        await t.rejects(otp.verify('bad-code', code as string), { code: 'FRP_OTP_ARGUMENT', statusCode: 400, message: /"code"/ }, what)
      }
      t.equal((await redis.get(otp.redisKey('bad-code')))?.slice(43), '5', 'no attempt spent')
    })
  })
}
