// `npm run bench [case ...]`: runs bench/cases/<case>.js (all by default) against a dedicated
// redis-server, prints markdown tables and writes them to bench/results/<case>.md.
import { readdirSync, writeFileSync } from 'node:fs'
import { arch, cpus, platform } from 'node:os'
import { benchRedis, DURATION, ROUNDS, CONNECTIONS } from './lib/harness.js'

const dir = new URL('./cases/', import.meta.url)
const all = readdirSync(dir).filter(f => f.endsWith('.js')).map(f => f.slice(0, -3)).sort()
const wanted = process.argv.slice(2)
const cases = wanted.length > 0 ? wanted : all
for (const c of cases) if (!all.includes(c)) throw new Error(`unknown bench case "${c}" (have: ${all.join(', ')})`)

const redis = await benchRedis()
try {
  for (const name of cases) {
    console.log(`# ${name}`)
    const mod = await import(new URL(`${name}.js`, dir).href)
    const tables = await mod.default({ redisUrl: redis.url })
    const header = `## ${name}\n\n${new Date().toISOString().slice(0, 10)} · Node ${process.version} · ${platform()}/${arch()} · ` +
      `${cpus().length} cores shared by load generator, server and Redis · ${ROUNDS} rounds, median · ` +
      `${DURATION} s per run · ${CONNECTIONS} connections\n\n`
    const md = header + tables.join('\n\n') + '\n'
    console.log(md)
    writeFileSync(new URL(`./results/${name}.md`, import.meta.url), md)
  }
} finally {
  await redis.stop()
}
