// The chaos soak, short: `npm run chaos` for 45 s of faults on the Sentinel topology (failover,
// master SIGKILL and restart, client kills, CLIENT PAUSE) with every pattern under load. It must
// print its table and exit 0, i.e. every invariant held. The table goes to the CI log; a failure
// names the broken invariants and the seed that replays the fault schedule
// (FRP_CHAOS_SEED=<seed> npx tap test/chaos/soak.test.ts).
import { spawn } from 'node:child_process'
import t from 'tap'
import { newSeed } from '../../chaos/random.js'

t.setTimeout(240_000)

const seed = process.env.FRP_CHAOS_SEED !== undefined ? Number(process.env.FRP_CHAOS_SEED) : newSeed()

t.test('every pattern keeps its invariants through 45 s of faults on Sentinel', async t => {
  const child = spawn(process.execPath, ['scripts/chaos.mjs', '--duration', '45s', '--topology', 'sentinel', '--seed', String(seed)], {
    cwd: new URL('../..', import.meta.url),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  t.comment(err.trim())
  t.comment(out.trim())
  t.match(out, /\| pattern \| ops \| errors \| longest outage \| invariants \|/, 'the table is printed')
  for (const pattern of ['cache', 'session', 'rate limit', 'lock', 'leaderboard', 'queue']) {
    t.match(out, new RegExp(`^\\| ${pattern} \\| [\\d,]+ \\|`, 'm'), `a row for ${pattern}`)
  }
  const broken = out.split('\n').filter(l => l.includes('**broken**'))
  t.same(broken, [], `no invariant broken (seed ${seed})`)
  t.equal(code, 0, `exit code 0 (seed ${seed})`)
})
