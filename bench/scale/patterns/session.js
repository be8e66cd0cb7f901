// Sessions at scale: one logged-in session per user, a typical payload (a user id and 5 fields).
// Ours: SessionStore as the plugin drives it (bound to the user; metadata as the plugin records by
// default, with `metadata: false`, and with `userIndex: false` too). Anchor: @fastify/session 11 +
// connect-redis 8, storing the JSON @fastify/session hands its store (captured from a real
// request, see `anchorTemplate`).
import { randomBytes } from 'node:crypto'
import { register } from 'node:module'
import { Redis } from 'ioredis'
import { SessionStore, newSessionId, userTag } from '../../../dist/lib/session/index.js'
import { clientOptions, TIMEOUT } from '../client.js'
import { pooled } from '../fill.js'

register('../../servers/session-anchor-shim-hooks.js', import.meta.url)
const { RedisStore } = await import('connect-redis')

const userId = i => String(1_000_000 + i)
/** The 5 fields beside the user id. */
const fields = i => ({ name: `User ${i}`, email: `user${i}@example.com`, role: 'member', locale: 'en-GB', cartItems: i % 7 })
/** What the plugin's default metadata provider records (a browser's user agent, the client ip). */
const METADATA = i => ({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` })

function ours (metadata, userIndex = true) {
  return {
    name: metadata ? 'ours (default: metadata recorded)' : userIndex ? 'ours (metadata: false)' : 'ours (metadata: false, userIndex: false)',
    how: 'ours through SessionStore.create (what Session.setUser calls at login), 500 in flight',
    perEntity: /./,
    // The opt-out variants are memory figures (per session, flat with the count: 586 B at 100k,
    // 609 at 1M in a loaded run); their 1M fills (~2 min each) are left out of the default run.
    sizes: metadata ? undefined : 'first',
    async open (redisUrl) {
      const redis = new Redis(redisUrl, clientOptions())
      const store = new SessionStore(redis, { prefix: 'scale', commandTimeout: TIMEOUT, userIndex })
      const ids = []
      const flat = i => Object.entries(fields(i)).flatMap(([k, v]) => [k, store.codec.encode(v)])
      return {
        async fill (from, to) {
          await pooled(from, to, 500, async i => {
            const id = newSessionId(userTag(userId(i)))
            ids[i] = id
            await store.create(id, flat(i), { userId: userId(i), metadata: metadata ? METADATA(i) : null })
          })
        },
        ops: {
          load: i => store.load(ids[i]),
          save: i => store.update(ids[i], ['cartItems', store.codec.encode(i % 9)]),
          touch: i => store.touch(ids[i])
        },
        close: () => redis.quit()
      }
    }
  }
}

/** The session object @fastify/session hands connect-redis for a session holding `values`. */
async function anchorTemplate (redisUrl) {
  const { build } = await import('../../servers/session-anchor.js')
  const app = await build({ BENCH_REDIS_URL: redisUrl })
  app.post('/scale-login', async req => {
    req.session.set('userId', userId(0))
    for (const [k, v] of Object.entries(fields(0))) req.session.set(k, v)
    return { ok: true }
  })
  try {
    const res = await app.inject({ method: 'POST', url: '/scale-login' })
    if (res.statusCode !== 200) throw new Error(`anchor login: ${res.statusCode}`)
    const [key] = await app.redis.keys('bench-anchor:*')
    const stored = JSON.parse(await app.redis.get(key))
    await app.redis.del(key)
    return stored
  } finally {
    await app.close()
  }
}

const anchor = {
  name: '@fastify/session + connect-redis 8',
  anchor: true,
  how: 'the anchor through connect-redis RedisStore.set with the object @fastify/session stores (its shape captured from a real login request), 500 in flight',
  perEntity: /^sess:/,
  async open (redisUrl) {
    const template = await anchorTemplate(redisUrl)
    const redis = new Redis(redisUrl, clientOptions())
    const store = new RedisStore({ client: redis })
    const ids = []
    const sess = i => ({ ...template, userId: userId(i), ...fields(i) })
    return {
      async fill (from, to) {
        await pooled(from, to, 500, async i => {
          ids[i] = randomBytes(24).toString('base64url')
          await store.set(ids[i], sess(i))
        })
      },
      ops: {
        load: i => store.get(ids[i]),
        // @fastify/session saves a changed session with set (and, rolling, every request): a write of the whole JSON.
        save: i => store.set(ids[i], { ...sess(i), cartItems: i % 9 }),
        touch: i => store.touch(ids[i], sess(i))
      },
      close: () => redis.quit()
    }
  }
}

export const title = 'Sessions (one per user: user id + 5 fields)'
export const contenders = [anchor, ours(true), ours(false), ours(false, false)]
