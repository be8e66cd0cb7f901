// Case "baseline": the ceilings every plugin is judged against.
import { compare, httpReqPerSec, table } from '../lib/harness.js'

export default async function baseline ({ redisUrl }) {
  const env = { BENCH_REDIS_URL: redisUrl }
  const res = await compare('route', 'req/s', [
    { name: 'bare route', run: () => httpReqPerSec('bench/servers/bare.js', env) },
    { name: 'one GET + JSON.parse', run: () => httpReqPerSec('bench/servers/redis-get.js', env) },
    { name: 'one GET + JSON.parse (auto-pipelining)', run: () => httpReqPerSec('bench/servers/redis-get.js', { ...env, BENCH_AUTOPIPELINE: '1' }) }
  ])
  return [table(res, 'bare route')]
}
