// The harness is tested itself: faults do what they say, and nothing outlives a test file.
import { test } from 'tap'
import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startRedis, startCluster, eventually, topologies } from './redis.js'

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch { return false }
}

test('startRedis spawns a private server with fault controls', async t => {
  const redis = await startRedis(t)
  const c = redis.client()
  t.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/)
  t.not(redis.port, 6379, 'never the machine-wide Redis')
  t.equal(await c.set('k', 'v'), 'OK')

  // pause: commands stall until the pause ends
  await redis.pause(300)
  const started = Date.now()
  t.equal(await c.get('k'), 'v')
  t.ok(Date.now() - started >= 250, 'a command waited for CLIENT PAUSE to end')

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
  t.equal(await eventually(async () => await c.ping().catch(() => null), { what: 'reconnect' }), 'PONG')
  t.equal(await c.get('k'), null)
})

test('restart keeps the data when AOF is on', async t => {
  const redis = await startRedis(t, { appendonly: true })
  const c = redis.client()
  await c.set('durable', '1')
  await redis.restart()
  t.equal(await eventually(async () => await c.get('durable').catch(() => null), { what: 'value after restart' }), '1')
})

test('DEBUG SLEEP is available for slow-server faults', async t => {
  const redis = await startRedis(t)
  const c = redis.client({ commandTimeout: 100 })
  await c.ping()
  await redis.admin('PING')
  const sleeping = redis.admin('DEBUG', 'SLEEP', '0.5')
  // Let the admin connection's write reach the server first.
  await new Promise(resolve => setImmediate(resolve))
  await t.rejects(c.get('x'), /timed out/i)
  await sleeping
})

test('startCluster spawns a 3-master cluster', async t => {
  const cluster = await startCluster(t)
  t.equal(cluster.nodes.length, 3)
  const c = cluster.client()
  await c.set('a', '1'); await c.set('b', '2'); await c.set('c', '3')
  t.equal(c.nodes('master').length, 3)
  t.same(await Promise.all(['a', 'b', 'c'].map(k => c.get(k))), ['1', '2', '3'])
})

test('the topology switch selects standalone, cluster or both', async t => {
  const saved = process.env.FRP_TOPOLOGY
  t.teardown(() => { process.env.FRP_TOPOLOGY = saved })
  process.env.FRP_TOPOLOGY = 'cluster'
  t.same(topologies(), ['cluster'])
  process.env.FRP_TOPOLOGY = 'standalone'
  t.same(topologies(), ['standalone'])
  delete process.env.FRP_TOPOLOGY
  t.same(topologies(), ['standalone', 'cluster'])
})

test('no redis-server outlives its test process, however the process ends', async t => {
  const fixture = fileURLToPath(new URL('../fixtures/leaky-process.ts', import.meta.url))
  for (const ending of ['exit', 'throw', 'sigkill']) {
    const child = spawn(process.execPath, [...process.execArgv, fixture, ending], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', d => { out += d })
    const pids: number[] = await eventually(() => /pids:([\d,]+)/.exec(out)?.[1].split(',').map(Number), { ms: 30_000, what: 'fixture to start servers' }) ?? []
    t.equal(pids.length, 4, 'one standalone and three cluster nodes')
    if (ending === 'sigkill') child.kill('SIGKILL')
    await new Promise(resolve => child.once('exit', resolve))
    await eventually(() => pids.every(p => !alive(p)), { ms: 5000, what: `servers to die after ${ending}` })
    t.pass(`all servers gone after the process ended by ${ending}`)
  }
  const leftovers = execFileSync('ps', ['-eo', 'pid,args']).toString().split('\n').filter(l => l.includes('frp-redis-') && !l.includes('ps -eo'))
  t.same(leftovers, [], 'no frp redis-server left running')
})
