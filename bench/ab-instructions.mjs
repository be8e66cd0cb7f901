// A/B of two builds by instructions executed, not seconds: `node bench/ab-instructions.mjs
// <before-root> [<after-root>]`. Each case runs in bench/icount-child.mjs under valgrind's
// callgrind (node --single-threaded, so V8 compiles on the main thread and the count repeats
// within about 1%), once with N_SMALL and once with N_LARGE operations after the same warm-up;
// the difference divided by N_LARGE - N_SMALL is the instructions per request of the Node process,
// startup excluded. Unlike req/s it does not move with CPU steal or other load on the machine,
// so a few-percent difference between builds is measurable on this shared 2-core VM. It does not
// count redis-server's work (the Lua scripts are the same in both builds when this is used).
// AB_CASES=session-r,cache-l2 picks cases (see icount-child.mjs); needs `valgrind` and both roots built.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { benchRedis } from './lib/harness.js'
import { abRoots } from './lib/ab-roots.js'

const run = promisify(execFile)
const roots = abRoots('ab-instructions.mjs')
const N_SMALL = Number(process.env.AB_N_SMALL ?? 200)
const N_LARGE = Number(process.env.AB_N_LARGE ?? 2200)
const child = fileURLToPath(new URL('./icount-child.mjs', import.meta.url))
// The cache and rate-limit servers are in icount-child.mjs too, but their clients' 1 s commandTimeout
// fires under valgrind's slowdown on a loaded machine: only the session cases run by default.
const cases = (process.env.AB_CASES ?? 'session-r,session-rw').split(',')

async function instructions (root, kind, n, redisUrl) {
  const { stderr } = await run('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', child, root, kind, String(n), redisUrl], { maxBuffer: 64 * 1024 * 1024 })
  const m = /Collected : (\d+)/.exec(stderr)
  if (m === null) throw new Error(`no instruction count for ${root} ${kind} ${n}:\n${stderr.slice(-2000)}`)
  return Number(m[1])
}

const redis = await benchRedis()
const rows = ['| case | before (instructions/request) | after | after / before |', '|---|---|---|---|']
try {
  for (const kind of cases) {
    const per = {}
    for (const [build, root] of Object.entries(roots)) {
      const small = await instructions(root, kind, N_SMALL, redis.url)
      const large = await instructions(root, kind, N_LARGE, redis.url)
      per[build] = (large - small) / (N_LARGE - N_SMALL)
      console.log(`  ${kind} · ${build}: ${Math.round(per[build]).toLocaleString('en-US')} instructions/request (${small} at ${N_SMALL}, ${large} at ${N_LARGE})`)
    }
    const row = `| ${kind} | ${Math.round(per.before).toLocaleString('en-US')} | ${Math.round(per.after).toLocaleString('en-US')} | ${(per.after / per.before).toFixed(3)}x |`
    rows.push(row)
    console.log(row)
  }
} finally {
  await redis.stop()
}
console.log(`\ninstructions per request (callgrind, node --single-threaded), ${roots.before} → ${roots.after}\n`)
console.log(rows.join('\n'))
