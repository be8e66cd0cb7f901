// `node bench/scale/probe.mjs <pattern>`: the keys each contender of a scale pattern writes for 3
// entities (type, encoding, PTTL, MEMORY USAGE), on a private redis-server. Run `npm run build` and
// `npm run build:app` first.
import { Redis } from 'ioredis'
import { startRedisServer } from '../../build/lib/dev/redis-server.js'
const s = await startRedisServer()
const r = new Redis(s.url)
const m = await import(`./patterns/${process.argv[2]}.js`)
for (const c of m.contenders) {
  await r.flushall()
  const inst = await c.open(s.url)
  await inst.fill(0, 3)
  const keys = await r.keys('*')
  console.log('==', c.name)
  for (const k of keys.sort()) console.log(' ', k, await r.type(k), await r.object('ENCODING', k), await r.pttl(k), await r.call('MEMORY', 'USAGE', k))
  await inst.close()
}
r.disconnect(); await s.stop()
