// Options are checked once, at construction, each failure naming the option; and codes are drawn
// uniformly from the alphabet (rejection sampling: no modulo bias).
import { test } from 'tap'
import { Redis } from 'ioredis'
import { OneTimeCodes } from '../../lib/otp/one-time-codes.js'
import { generateCode } from '../../lib/otp/code.js'
import { SECRET } from './helpers.js'

// Never connects: construction does not talk to Redis.
const redis = new Redis({ lazyConnect: true })

test('options are validated and named', async t => {
  const bad: Array<[object, RegExp]> = [
    [{}, /"otp\.secret": is required/],
    [{ secret: 'short' }, /"otp\.secret": must be at least 32 bytes/],
    [{ secret: [] }, /"otp\.secret": must not be an empty array/],
    [{ secret: [SECRET, 42] }, /"otp\.secret\[1\]": must be a string or a Buffer/],
    [{ secret: SECRET, alphabet: '0' }, /"otp\.alphabet": must have 2 to 256/],
    [{ secret: SECRET, alphabet: '0120' }, /"otp\.alphabet": must not repeat/],
    [{ secret: SECRET, alphabet: '01 2' }, /"otp\.alphabet": must not contain white space/],
    [{ secret: SECRET, length: 3 }, /"otp\.length": must be between 4 and 64/],
    [{ secret: SECRET, alphabet: '01', length: 8 }, /"otp\.length": 8 characters of a 2-character alphabet make 256 codes/],
    [{ secret: SECRET, ttl: 'soon' }, /"otp\.ttl"/],
    [{ secret: SECRET, ttl: 999 }, /"otp\.ttl"/],
    [{ secret: SECRET, attempts: 0 }, /"otp\.attempts"/],
    [{ secret: SECRET, attempts: 1.5 }, /"otp\.attempts"/],
    [{ secret: SECRET, cooldown: -1 }, /"otp\.cooldown"/],
    [{ secret: SECRET, commandTimeout: 0 }, /"otp\.commandTimeout"/],
    [{ secret: SECRET, atempts: 3 }, /"otp\.atempts": unknown option/]
  ]
  for (const [opts, message] of bad) {
    t.throws(() => new OneTimeCodes(redis, opts as never), { code: 'FRP_INVALID_OPTION', message }, JSON.stringify(opts))
  }
  const otp = new OneTimeCodes(redis, { secret: Buffer.alloc(32, 1), ttl: '10m', cooldown: '30s', attempts: 3, alphabet: 'ABCDEFGHJKMNPQRSTUVWXYZ23456789', length: 8 })
  t.equal(otp.options.ttl, 600_000)
  t.equal(otp.options.cooldown, 30_000)
  t.equal(otp.options.attempts, 3)
  t.equal(otp.options.length, 8)
})

test('codes have the configured length and alphabet, astral characters included', async t => {
  const alphabet = Array.from('ABCDEFGHJKMNPQRSTUVWXYZ23456789')
  for (let i = 0; i < 200; i++) t.match(generateCode(alphabet, 8), /^[A-HJKMNP-Z2-9]{8}$/)
  const emoji = Array.from('🍎🍌🍒🍇')
  const code = generateCode(emoji, 10)
  t.equal(Array.from(code).length, 10)
  t.ok(Array.from(code).every(c => emoji.includes(c)))
})

test('every character is equally likely (a modulo would favour the first 56 of 200)', async t => {
  // 200 characters: `byte % 200` would draw characters 0-55 twice as often as the rest (2/256
  // against 1/256). 200,000 draws expect 1,000 each (sd ~32); the bounds are ~8 sd away.
  const alphabet = Array.from({ length: 200 }, (_, i) => String.fromCodePoint(0x100 + i))
  const counts = new Map<string, number>()
  for (let i = 0; i < 20_000; i++) for (const c of generateCode(alphabet, 10)) counts.set(c, (counts.get(c) ?? 0) + 1)
  const values = alphabet.map(c => counts.get(c) ?? 0)
  t.ok(Math.min(...values) > 750, `rarest ${Math.min(...values)}`)
  t.ok(Math.max(...values) < 1250, `commonest ${Math.max(...values)}`)
  const low = values.slice(0, 56).reduce((a, b) => a + b, 0) / 56
  const high = values.slice(56).reduce((a, b) => a + b, 0) / 144
  t.ok(Math.abs(low - high) < 60, `first 56 average ${low.toFixed(0)}, the rest ${high.toFixed(0)}`)
})
