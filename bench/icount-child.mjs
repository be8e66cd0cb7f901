// Child of bench/ab-instructions.mjs, run under callgrind: drives one build's code `n` times after
// a warm-up, so the parent can difference two runs' instruction counts into a per-operation cost.
//   node --single-threaded bench/icount-child.mjs <root> <case> <n> <redis-url>
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sessionCookies } from './lib/session-jar.js'

const [rootArg, kind, nArg, redisUrl] = process.argv.slice(2)
const root = resolve(rootArg)
const n = Number(nArg)
const env = { BENCH_REDIS_URL: redisUrl }
const serverModule = file => import(pathToFileURL(resolve(root, 'bench/servers', file)).href)

async function session (path) {
  const [cookie] = await sessionCookies(resolve(root, 'bench/servers/session-ours.js'), env, 1)
  const { build } = await serverModule('session-ours.js')
  const app = await build(env)
  const headers = { cookie }
  const run = async count => {
    for (let i = 0; i < count; i++) {
      const r = await app.inject({ method: 'GET', url: path, headers })
      if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode}`)
    }
  }
  await run(300)
  await run(n)
  await app.close()
}

async function plain (file, extraEnv = {}, expected = [200]) {
  const { build } = await serverModule(file)
  const app = await build({ ...env, ...extraEnv })
  const run = async count => {
    for (let i = 0; i < count; i++) {
      const r = await app.inject({ method: 'GET', url: '/' })
      if (!expected.includes(r.statusCode)) throw new Error(`${file}: ${r.statusCode}`)
    }
  }
  await run(300)
  await run(n)
  await app.close()
}

const cases = {
  'session-r': () => session('/r'),
  'session-rw': () => session('/rw'),
  'cache-l1': () => plain('cache-route.js'),
  'cache-l2': () => plain('cache-route.js', { BENCH_CACHE_L1: '0' }),
  'rate-limit-sliding-window': () => plain('rate-limit-ours.js', { BENCH_LIMIT: '1000000000', BENCH_ALGORITHM: 'sliding-window' }),
  'rate-limit-gcra': () => plain('rate-limit-ours.js', { BENCH_LIMIT: '1000000000', BENCH_ALGORITHM: 'gcra' }),
  // Every request after the first refused (from the block cache): the cost of the refusal path.
  'rate-limit-rejected': () => plain('rate-limit-ours.js', { BENCH_LIMIT: '1', BENCH_ALGORITHM: 'sliding-window' }, [200, 429])
}
await cases[kind]()
process.exit(0)
