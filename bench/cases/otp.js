// Case "otp" (issue 20: verify ≥ 0.9x a hand-written equivalent): OneTimeCodes#verify on the
// success path (one script: GET, compare digests, DEL) against the hand-written code that keeps
// the code in clear, GET then DEL (two round trips, the usual hand-written form) and GETDEL (one
// command). Each round verifies BENCH_OTP_CODES fresh codes, written beforehand (not timed) on
// the same Redis with the same client options; 50 concurrent loops.
import { Redis } from 'ioredis'
import { OneTimeCodes } from '../../dist/lib/otp/one-time-codes.js'
import { codeDigest } from '../../dist/lib/otp/digest.js'
import { compare, table, fmt } from '../lib/harness.js'

const SECRET = Buffer.from('a-bench-secret-of-at-least-32-bytes!!')
const CODES = Number(process.env.BENCH_OTP_CODES ?? 100_000)
const LOOPS = 50
const CODE = '123456'

let round = 0

/** Runs `op(i)` for i in [0, CODES) over LOOPS concurrent loops; ops per second. */
async function timed (op) {
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: LOOPS }, async () => {
    while (next < CODES) await op(next++)
  }))
  return { value: CODES / ((performance.now() - started) / 1000) }
}

/** Writes CODES stored codes with `write(pipeline, i)`, 1000 per pipeline. */
async function fill (redis, write) {
  for (let i = 0; i < CODES; i += 1000) {
    const p = redis.pipeline()
    for (let j = i; j < Math.min(CODES, i + 1000); j++) write(p, j)
    await p.exec()
  }
}

/** A hand-written contender: the code in clear under a plain key, checked by `check(key)`. */
function raw (redis, name, check) {
  return {
    name,
    run: async () => {
      const r = ++round
      const key = i => `raw:{s${r}:${i}}`
      await fill(redis, (p, i) => p.set(key(i), CODE, 'PX', 600_000))
      return await timed(i => check(key(i)))
    }
  }
}

export default async function otp ({ redisUrl }) {
  // Same client and options for every contender (as recommendedRedisOptions() sets).
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, commandTimeout: 1000 })
  const codes = new OneTimeCodes(redis, { secret: SECRET, prefix: 'bench' })
  try {
    const contenders = [
      {
        name: 'OneTimeCodes#verify (1 script)',
        run: async () => {
          const r = ++round
          const subject = i => `s${r}:${i}`
          await fill(redis, (p, i) => p.set(codes.redisKey(subject(i)), codeDigest(SECRET, subject(i), CODE) + '5', 'PX', 600_000))
          return await timed(async i => {
            if ((await codes.verify(subject(i), CODE)).result !== 'ok') throw new Error('verify: not ok')
          })
        }
      },
      raw(redis, 'GET, compare, DEL (2 round trips)', async key => {
        if (await redis.get(key) !== CODE) throw new Error('GET: not the code')
        await redis.del(key)
      }),
      raw(redis, 'GETDEL, compare (1 command)', async key => {
        if (await redis.getdel(key) !== CODE) throw new Error('GETDEL: not the code')
      })
    ]
    const result = await compare(`verify a right code, ${LOOPS} loops`, 'verifies/s', contenders)
    return [
      table(result, 'GET, compare, DEL (2 round trips)'),
      table(result, 'GETDEL, compare (1 command)'),
      `Each run verifies ${fmt(CODES)} codes written beforehand (not timed), ${LOOPS} concurrent loops, one ioredis 6 client ` +
      '(auto-pipelining on, commandTimeout 1000) on the same redis-server. Ours computes an HMAC-SHA256 per verify and ' +
      'stores no code in clear; the hand-written ones store the code itself.'
    ]
  } finally {
    redis.disconnect()
  }
}
