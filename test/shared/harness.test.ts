// The harness is tested itself: faults do what they say, and nothing outlives a test file.
// (It lives in test/shared, not test/helpers: tap's exclude skips test/helpers/**.)
import tap, { test } from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startRedis, startCluster, eventually, topologies } from '../helpers/redis.js'
import { redisMs } from '../helpers/redis-time.js'

/** False once `pid` is gone (ESRCH); true while a process has that PID. */
function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err // EPERM: some other user's process has the PID now, so it is not ours, but say so
  }
}

/** Every redis-server PID this file started in-process; the last test checks they are all gone. */
const started: number[] = []

// This file starts four clusters (one here, three in child processes): more than the suite's
// 180 s per file on a loaded 2-core run. The root timeout tells the runner too.
tap.setTimeout(600_000)

test('startRedis spawns a private server with fault controls', async t => {
  const redis = await startRedis(t)
  started.push(redis.server.pid)
  const c = redis.client()
  t.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/)
  t.not(redis.port, 6379, 'never the machine-wide Redis')
  t.equal(await c.set('k', 'v'), 'OK')

  // pause: commands stall until the pause ends. Checked on the server's clock: TIME is answered
  // once the pause is over, and the pause began after \`before\` (no local timing involved).
  const before = await redisMs(redis.admin)
  await redis.pause(300)
  t.ok(await redisMs(c) >= before + 300, 'a command waited for CLIENT PAUSE to end')
  t.equal(await c.get('k'), 'v')

  // killClients: the client's connection is dropped and it reconnects
  const closed = new Promise(resolve => c.once('close', resolve))
  t.ok(await redis.killClients() >= 1)
  await closed
  t.equal(await c.get('k'), 'v', 'the client reconnected')

  // kill + restart without persistence: the data is gone, the port is the same
  const oldPid = redis.server.pid
  await redis.kill('SIGKILL')
  t.notOk(alive(oldPid))
  await t.rejects(c.get('k'))
  await redis.restart()
  started.push(redis.server.pid)
  t.equal(await eventually(async () => await c.ping().catch(() => null), { what: 'reconnect' }), 'PONG')
  t.equal(await c.get('k'), null)
})

test('restart keeps the data when AOF is on', async t => {
  const redis = await startRedis(t, { appendonly: true })
  started.push(redis.server.pid)
  const c = redis.client()
  await c.set('durable', '1')
  await redis.restart()
  started.push(redis.server.pid)
  t.equal(await eventually(async () => await c.get('durable').catch(() => null), { what: 'value after restart' }), '1')
})

test('DEBUG SLEEP is available for slow-server faults', async t => {
  const redis = await startRedis(t)
  started.push(redis.server.pid)
  const c = redis.client({ commandTimeout: 100 })
  await c.ping()
  await redis.admin('PING')
  // 3 s: far longer than the 100 ms timeout, so the GET below lands inside it on a slow machine.
  const sleeping = redis.admin('DEBUG', 'SLEEP', '3')
  // Let the admin connection's write reach the server first.
  await new Promise(resolve => setImmediate(resolve))
  await t.rejects(c.get('x'), /timed out/i)
  await sleeping
})

test('startCluster spawns a 3-master cluster', async t => {
  const cluster = await startCluster(t)
  started.push(...cluster.servers.map(s => s.pid))
  t.equal(cluster.nodes.length, 3)
  const c = cluster.client()
  await c.set('a', '1'); await c.set('b', '2'); await c.set('c', '3')
  t.equal(c.nodes('master').length, 3)
  t.strictSame(await Promise.all(['a', 'b', 'c'].map(k => c.get(k))), ['1', '2', '3'])
})

test('the topology switch selects standalone, cluster or both', async t => {
  const saved = process.env.FRP_TOPOLOGY
  t.teardown(() => { process.env.FRP_TOPOLOGY = saved })
  process.env.FRP_TOPOLOGY = 'cluster'
  t.strictSame(topologies(), ['cluster'])
  process.env.FRP_TOPOLOGY = 'standalone'
  t.strictSame(topologies(), ['standalone'])
  delete process.env.FRP_TOPOLOGY
  t.strictSame(topologies(), ['standalone', 'cluster'])
})

// Three child processes each start a standalone server and a 3-master cluster: on a loaded 2-core
// run that took longer than 30 s per child (the test timed out waiting while the child was still
// creating its cluster), so the deadlines are generous and the child's early exit fails at once.
test('no redis-server outlives its test process, however the process ends', async t => {
  const fixture = fileURLToPath(new URL('../fixtures/leaky-process.ts', import.meta.url))
  for (const ending of ['exit', 'throw', 'sigkill']) {
    const child = spawn(process.execPath, [...process.execArgv, fixture, ending], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', d => { out += d })
    let exited: number | null | undefined
    child.once('exit', code => { exited = code })
    const pids: number[] = await eventually(() => {
      const m = /pids:([\d,]+)/.exec(out)
      if (m !== null) return m[1].split(',').map(Number)
      if (exited !== undefined) throw new Error(`fixture (${ending}) exited with ${exited} before starting its servers`)
      return undefined
    }, { ms: 150_000, what: 'fixture to start servers' }) ?? []
    t.equal(pids.length, 4, 'one standalone and three cluster nodes')
    if (ending === 'sigkill') child.kill('SIGKILL')
    if (exited === undefined) await new Promise(resolve => child.once('exit', resolve))
    await eventually(() => pids.every(p => !alive(p)), { ms: 5000, what: `servers to die after ${ending}` })
    t.pass(`all servers gone after the process ended by ${ending}`)
  }
  // The servers the tests above started (and tore down) are gone too: checked by PID, since
  // redis-server rewrites its command line and a ps pattern would never match it.
  t.equal(started.length, 8, 'the tests above started 8 servers (counting restarts)')
  await eventually(() => started.every(p => !alive(p)), { ms: 10_000, what: 'every server started in this file to be gone' })
  t.strictSame(started.filter(alive), [], 'no redis-server started in this file is left running')
})
