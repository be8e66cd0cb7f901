// Ad-hoc: node bench/quick.mjs <label>=<server>[?ENV=V&...] ... — compares bench servers only.
// QUICK_NON2XX=1 accepts non-2xx answers (the rejected path).
import { benchRedis, compare, httpReqPerSec, table } from './lib/harness.js'
const redis = await benchRedis()
const env = { BENCH_REDIS_URL: redis.url }
const contenders = process.argv.slice(2).map(a => {
  const i = a.indexOf('=')
  const name = a.slice(0, i)
  const rest = a.slice(i + 1)
  const [file, q = ''] = rest.split('?')
  const e = Object.fromEntries(new URLSearchParams(q))
  return { name, run: () => httpReqPerSec(`bench/servers/${file}.js`, { ...env, ...e }, { allowNon2xx: process.env.QUICK_NON2XX === '1' }) }
})
try {
  const r = await compare('quick', 'req/s', contenders)
  console.log(table(r, contenders[0].name))
} finally { await redis.stop() }
