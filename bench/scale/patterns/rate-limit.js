// Rate-limit keys at scale: one key per client IP, each client having made LIMIT - 1 checks inside
// a one-hour window (a client near its whole allowance: the sliding-window log near its longest,
// while the measured check is still an allowed one that writes).
// Ours per algorithm vs @fastify/rate-limit's Redis store (a counter key per client).
import { createRequire } from 'node:module'
import { Redis } from 'ioredis'
import { RateLimiter, ALGORITHMS } from '../../../dist/lib/rate-limit/index.js'
import { clientOptions, TIMEOUT } from '../client.js'
import { cloneKeys, pooled } from '../fill.js'

const require = createRequire(import.meta.url)
const AnchorStore = require('@fastify/rate-limit/store/RedisStore.js')

export const LIMIT = Number(process.env.BENCH_SCALE_RL_LIMIT ?? 100)
const WINDOW = 3_600_000
/** Clients written through the library itself (LIMIT checks each); the rest are their clones. */
const TEMPLATES = 1000

/** Client i's id: an IPv4 address in 10.0.0.0/8, as a per-IP limit keys it. */
export const clientId = i => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

const how = `${TEMPLATES.toLocaleString('en-US')} clients written by the library's own check (${LIMIT - 1} checks each, window 1 h), the rest DUMP/RESTORE copies of them under their own keys`

function ours (algorithm) {
  return {
    name: `ours ${algorithm}`,
    how,
    perEntity: /\{/,
    async open (redisUrl) {
      const redis = new Redis(redisUrl, clientOptions())
      const limiter = new RateLimiter(redis, { prefix: 'scale', blockCache: false, insurance: false, commandTimeout: TIMEOUT })
      const rule = limiter.rule({ limit: LIMIT, window: WINDOW, algorithm })
      // The key of client i: keyOf() gives the client's stem; an algorithm may append the policy
      // (e.g. ':c/100/3600000'), so the full name is read once from client 0's key.
      let suffix = null
      const key = i => limiter.keyOf(clientId(i), algorithm) + suffix
      return {
        async fill (from, to) {
          const t = Math.min(to, TEMPLATES)
          for (let k = 0; k < LIMIT - 1; k++) await pooled(from, t, 2000, i => limiter.hit(clientId(i), rule))
          if (suffix === null) {
            const stem = limiter.keyOf(clientId(0), algorithm)
            // KEYS on a database of at most TEMPLATES clients (the first fill), never at size.
            const names = await redis.keys(stem + '*')
            if (names.length !== 1) throw new Error(`${algorithm}: ${names.length} keys for one client (${names.join(', ')}); cloning expects one`)
            suffix = names[0].slice(stem.length)
          }
          if (to > TEMPLATES) await cloneKeys(redis, { from, to, templates: TEMPLATES, templateKey: key, cloneKey: key })
        },
        ops: { check: i => limiter.hit(clientId(i), rule) },
        close: () => redis.quit()
      }
    }
  }
}

const anchor = {
  name: '@fastify/rate-limit (Redis store)',
  anchor: true,
  how,
  perEntity: /^fastify-rate-limit-/,
  async open (redisUrl) {
    const redis = new Redis(redisUrl, { enableAutoPipelining: true, commandTimeout: TIMEOUT })
    const store = new AnchorStore(false, false, redis)
    const check = i => new Promise((resolve, reject) => {
      store.incr(clientId(i), (err, res) => err ? reject(err) : resolve(res), WINDOW, LIMIT)
    })
    const key = i => 'fastify-rate-limit-' + clientId(i)
    return {
      async fill (from, to) {
        const t = Math.min(to, TEMPLATES)
        for (let k = 0; k < LIMIT - 1; k++) await pooled(from, t, 2000, check)
        if (to > TEMPLATES) await cloneKeys(redis, { from, to, templates: TEMPLATES, templateKey: key, cloneKey: key })
      },
      ops: { check },
      close: () => redis.quit()
    }
  }
}

export const title = `Rate-limit keys (limit ${LIMIT} per window, ${LIMIT - 1} checks made per client)`
export const contenders = [anchor, ...ALGORITHMS.map(ours)]
