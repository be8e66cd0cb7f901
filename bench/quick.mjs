// Ad-hoc: node bench/quick.mjs <label>=<server>[?ENV=V&...] ... — compares bench servers only.
// QUICK_NON2XX=1 accepts non-2xx answers (the rejected path). QUICK_CLUSTER=1 runs them against a
// private 3-master Redis Cluster (servers that read BENCH_CLUSTER) instead of one redis-server.
import { benchRedis, compare, httpReqPerSec, parseContender, table } from './lib/harness.js'
import { startRedisCluster } from '../build/lib/dev/redis-server.js'

const cluster = process.env.QUICK_CLUSTER === '1' ? await startRedisCluster() : null
const redis = cluster === null ? await benchRedis() : null
const env = cluster === null ? { BENCH_REDIS_URL: redis.url } : { BENCH_CLUSTER: `${cluster[0].host}:${cluster[0].port}` }
const contenders = process.argv.slice(2).map(parseContender).map(({ name, server, env: e }) => ({
  name,
  run: () => httpReqPerSec(server, { ...env, ...e }, { allowNon2xx: process.env.QUICK_NON2XX === '1' })
}))
try {
  const r = await compare('quick', 'req/s', contenders)
  console.log(table(r, contenders[0].name))
} finally {
  await redis?.stop()
  await Promise.all((cluster ?? []).map(s => s.stop()))
}
