// Atomicity under concurrency: however many guesses or issues race, a code is used at most once,
// no more guesses are checked than the attempt limit allows, and one issue() wins the cooldown.
import { test } from 'tap'
import { startTopology, topologies } from '../helpers/redis.js'
import { codes, wrongCode } from './helpers.js'

for (const topology of topologies()) {
  test(topology, async t => {
    const h = await startTopology(t, topology)

    await t.test('50 concurrent right guesses (several clients): exactly one ok', async t => {
      const clients = [h.client(), h.client(), h.client()]
      const issuer = codes(clients[0])
      const { code } = await issuer.issue('race')
      const cores = clients.map(c => codes(c, { prefix: issuer.options.prefix }))
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => cores[i % 3].verify('race', code)))
      t.equal(results.filter(r => r.result === 'ok').length, 1, 'one winner')
      t.equal(results.filter(r => r.result === 'expired').length, 49, 'everyone else finds no code')
    })

    await t.test('100 concurrent wrong guesses: 4 wrong, then exhausted; the right code is then refused', async t => {
      const otp = codes(h.client(), { attempts: 5 })
      const { code } = await otp.issue('race2')
      const results = await Promise.all(Array.from({ length: 100 }, () => otp.verify('race2', wrongCode(code))))
      t.strictSame(results.filter(r => r.result === 'wrong').map(r => r.attemptsLeft).sort(), [1, 2, 3, 4], 'each attempt spent once')
      t.equal(results.filter(r => r.result === 'exhausted').length, 96)
      t.equal((await otp.verify('race2', code)).result, 'exhausted')
    })

    await t.test('20 concurrent issues for one subject: one code, 19 cooldown refusals', async t => {
      const otp = codes(h.client())
      const settled = await Promise.allSettled(Array.from({ length: 20 }, () => otp.issue('race3')))
      const issued = settled.flatMap(s => s.status === 'fulfilled' ? [s.value] : [])
      t.equal(issued.length, 1)
      t.equal(settled.filter(s => s.status === 'rejected' && (s.reason as { code?: string }).code === 'FRP_OTP_COOLDOWN').length, 19)
      t.equal((await otp.verify('race3', issued[0].code)).result, 'ok', 'the winner is the code in force')
    })
  })
}
