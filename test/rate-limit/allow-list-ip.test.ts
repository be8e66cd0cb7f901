// docs/rate-limit.md, allowList: entries that are IP addresses or CIDR ranges, in any valid spelling
// (IPv4, IPv6, IPv4-mapped IPv6), exempt the clients whose address they match canonically; other
// entries are keys. Regression (issue 18 item 5): allowList: ['::1'] did not exempt an IPv6
// loopback client, because entries were compared with the key, and IPv6 keys are /64 prefixes.
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { startRedis } from '../helpers/redis.js'
import { buildApp } from '../helpers/rate-limit.js'

/** Status codes of `n` requests from `remoteAddress` (as user `user`: the x-user header). */
async function statuses (app: FastifyInstance, remoteAddress: string, n = 3, url = '/', user?: string): Promise<number[]> {
  const out: number[] = []
  const headers = user === undefined ? {} : { 'x-user': user }
  for (let i = 0; i < n; i++) out.push((await app.inject({ url, remoteAddress, headers })).statusCode)
  return out
}

const exempt = [200, 200, 200]
const limited = [200, 429, 429]

test('allowList matches client addresses and ranges canonically', async t => {
  const redis = await startRedis(t)
  const client = redis.client()
  let prefix = 0
  const app = async (allowList: string[]): Promise<FastifyInstance> => {
    const a = await buildApp(client, { limit: 1, window: 60_000, allowList, prefix: `al${prefix++}` })
    t.teardown(() => a.close())
    return a
  }

  await t.test("'::1' exempts the IPv6 loopback, however it is written", async t => {
    const a = await app(['::1'])
    t.strictSame(await statuses(a, '::1'), exempt)
    t.strictSame(await statuses(a, '0:0:0:0:0:0:0:1'), exempt)
    t.strictSame(await statuses(a, '::2'), limited, 'a neighbour in the same /64 is not exempt')
    const spelled = await app(['0000:0000:0000:0000:0000:0000:0000:0001'])
    t.strictSame(await statuses(spelled, '::1'), exempt, 'the entry in its long spelling')
  })

  await t.test('IPv4 ranges', async t => {
    const a = await app(['10.0.0.0/8', '192.0.2.7'])
    t.strictSame(await statuses(a, '10.1.2.3'), exempt)
    t.strictSame(await statuses(a, '10.255.255.255'), exempt)
    t.strictSame(await statuses(a, '192.0.2.7'), exempt)
    t.strictSame(await statuses(a, '11.0.0.1'), limited)
    t.strictSame(await statuses(a, '192.0.2.8'), limited)
  })

  await t.test('IPv6 ranges, in any case and spelling', async t => {
    const a = await app(['2001:DB8::/32'])
    t.strictSame(await statuses(a, '2001:0db8:0:0::5'), exempt)
    t.strictSame(await statuses(a, '2001:db8:ffff:1:2:3:4:5'), exempt)
    t.strictSame(await statuses(a, '2001:db9::1'), limited)
  })

  await t.test('IPv4-mapped IPv6 addresses are their IPv4 address, on either side', async t => {
    const byV4 = await app(['192.0.2.1'])
    t.strictSame(await statuses(byV4, '::ffff:192.0.2.1'), exempt, 'a mapped client, an IPv4 entry')
    const byMapped = await app(['::ffff:192.0.2.1'])
    t.strictSame(await statuses(byMapped, '192.0.2.1'), exempt, 'an IPv4 client, a mapped entry')
    const mappedRange = await app(['::ffff:10.0.0.0/104'])
    t.strictSame(await statuses(mappedRange, '10.9.9.9'), exempt, 'a mapped range is the IPv4 range it maps (10.0.0.0/8)')
    t.strictSame(await statuses(mappedRange, '11.0.0.1'), limited)
  })

  await t.test('entries that are not addresses stay keys (a custom keyGenerator)', async t => {
    const a = await buildApp(client, {
      limit: 1,
      window: 60_000,
      prefix: 'alk',
      allowList: ['user:vip', 'cafe:babe', '10.0.0.0/8'],
      keyGenerator: req => String(req.headers['x-user'] ?? 'anon')
    })
    t.teardown(() => a.close())
    for (const user of ['user:vip', 'cafe:babe']) {
      t.strictSame(await statuses(a, '203.0.113.1', 3, '/', user), exempt, `key ${user}`)
    }
    t.strictSame(await statuses(a, '203.0.113.1', 3, '/', 'bob'), limited, 'an unlisted key')
    t.strictSame(await statuses(a, '10.0.0.9', 3, '/', 'bob'), exempt, 'a listed range exempts by address whatever the key')
  })

  await t.test("a route's own allowList takes addresses too", async t => {
    const a = await buildApp(client, { limit: 100, window: 60_000, prefix: 'alr' }, r => {
      r.get('/admin', { config: { rateLimit: { limit: 1, window: 60_000, allowList: ['::1', '127.0.0.0/8'] } } }, async () => 'ok')
    })
    t.teardown(() => a.close())
    t.strictSame(await statuses(a, '::1', 3, '/admin'), exempt)
    t.strictSame(await statuses(a, '127.0.0.2', 3, '/admin'), exempt)
    t.strictSame(await statuses(a, '198.51.100.1', 3, '/admin'), limited)
  })
})

test('an entry that looks like an address but is not one fails at registration, naming it', async t => {
  const client = (await startRedis(t)).client()
  const cases: Array<[string[], RegExp]> = [
    [['10.0.0.0/33'], /"redisRateLimit\.allowList\[0\]": "10\.0\.0\.0\/33" has an invalid prefix length/],
    [['::1', '300.1.1.1'], /"redisRateLimit\.allowList\[1\]": "300\.1\.1\.1" is not a valid IP address or CIDR range/],
    [['2001:db8::/129'], /"redisRateLimit\.allowList\[0\]"/],
    [['2001:db8:::1'], /"redisRateLimit\.allowList\[0\]"/],
    [['10.0.0.1/x'], /"redisRateLimit\.allowList\[0\]"/],
    [['10.0.0.0/'], /"redisRateLimit\.allowList\[0\]"/]
  ]
  for (const [allowList, message] of cases) {
    await t.rejects(buildApp(client, { limit: 1, window: 60_000, allowList }), { code: 'FRP_INVALID_OPTION', message }, allowList.join(', '))
  }
  await t.rejects(buildApp(client, { limit: 1, window: 60_000 }, r => {
    r.get('/x', { config: { rateLimit: { limit: 1, window: 60_000, allowList: ['1.2.3.4/40'] } } }, async () => 'x')
  }), { message: /allowList\[0\]/ }, 'a route allowList too')
})
