// Development helper (not part of the plugin API): spawns a private redis-server on a free
// loopback port. Used by the test harness, the bench runner and the example app when no Redis is
// reachable. Every server is watched by a tiny shell loop that kills it if this process dies
// without cleaning up (even on SIGKILL), so no test run leaves a redis-server behind.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

export interface RedisServerOptions {
  /** Extra `--name value` arguments for redis-server, e.g. `['--appendonly', 'yes']`. */
  args?: string[]
  /** Port to use (default: a free one). */
  port?: number
  /** Data directory (default: a new temp dir, removed on stop). */
  dir?: string
  /** redis-server binary (default `redis-server` on PATH). */
  binary?: string
  /** How long to wait for "Ready to accept connections" (default 10 s). */
  startTimeout?: number
  /**
   * A config file passed before every other argument (Sentinel needs one it can rewrite).
   * Relative to nothing: give an absolute path.
   */
  configFile?: string
  /** The log line that means the server is up (default "Ready to accept connections"). */
  readyLine?: RegExp
}

export interface RedisServer {
  readonly host: string
  readonly port: number
  readonly url: string
  readonly dir: string
  /** PID of the running redis-server (changes after restart). */
  readonly pid: number
  /** Sends `signal` to redis-server and waits for it to exit. */
  kill (signal?: NodeJS.Signals): Promise<void>
  /** Starts redis-server again on the same port with the same data directory. */
  start (): Promise<void>
  /** Stops redis-server (SIGKILL) and removes a temp data dir. Idempotent. */
  stop (): Promise<void>
  readonly running: boolean
}

const live = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook (): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  const killAll = (): void => { for (const c of live) { try { c.kill('SIGKILL') } catch {} } }
  // Signals are left to the host process (the example app drains before exiting); if it dies
  // without running exit handlers, the watchdog below still kills the server.
  process.once('exit', killAll)
}

/** A free TCP port on 127.0.0.1 (and, with `bus`, port + 10000 free too, for Cluster). */
export async function freePort (bus = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(0)
    if (!bus) return port
    if (port + 10000 < 65536 && await listenOnce(port + 10000).then(() => true, () => false)) return port
  }
  throw new Error('no free port found')
}

function listenOnce (port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(port, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port
      srv.close(() => resolve(p))
    })
  })
}

export async function startRedisServer (opts: RedisServerOptions = {}): Promise<RedisServer> {
  installExitHook()
  const ownDir = opts.dir === undefined
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'frp-redis-'))
  const binary = opts.binary ?? 'redis-server'
  const startTimeout = opts.startTimeout ?? 10_000
  const fixedPort = opts.port
  const readyLine = opts.readyLine ?? /Ready to accept connections/
  let port = fixedPort ?? await freePort(opts.args?.includes('--cluster-enabled') === true)
  let child: ChildProcess | null = null
  let exited: Promise<void> = Promise.resolve()
  let stopped = false

  async function launch (): Promise<void> {
    const args = [...(opts.configFile !== undefined ? [opts.configFile] : []), '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
      '--daemonize', 'no', '--logfile', '', '--protected-mode', 'no', '--enable-debug-command', 'local', ...(opts.args ?? [])]
    const c = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child = c
    live.add(c)
    exited = new Promise(resolve => c.once('exit', () => { live.delete(c); resolve() }))
    // Watchdog: if this process disappears (even by SIGKILL), kill the server.
    const dog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${c.pid} 2>/dev/null; do sleep 0.5; done; kill -9 ${c.pid} 2>/dev/null`],
      { stdio: 'ignore', detached: true })
    dog.unref()
    await new Promise<void>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => { c.kill('SIGKILL'); reject(new Error(`redis-server did not start within ${startTimeout} ms:\n${out}`)) }, startTimeout)
      const onData = (d: Buffer): void => {
        out += d.toString()
        if (readyLine.test(out)) { clearTimeout(timer); c.stdout?.off('data', onData); c.stdout?.resume(); resolve() }
      }
      c.stdout?.on('data', onData)
      c.stderr?.on('data', (d: Buffer) => { out += d.toString() })
      c.once('error', err => { clearTimeout(timer); reject(err) })
      c.once('exit', code => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code}:\n${out}`)) })
    })
  }

  for (let attempt = 0; ; attempt++) {
    try { await launch(); break } catch (err) {
      // Another process took the port between our probe and redis-server's bind: pick again.
      if (fixedPort !== undefined || attempt >= 3 || !/Address already in use/.test((err as Error).message)) throw err
      port = await freePort(opts.args?.includes('--cluster-enabled') === true)
    }
  }

  const server: RedisServer = {
    host: '127.0.0.1',
    get port () { return port },
    get url () { return `redis://127.0.0.1:${port}` },
    dir,
    get pid () { return child?.pid ?? -1 },
    get running () { return child !== null && child.exitCode === null && child.signalCode === null },
    async kill (signal: NodeJS.Signals = 'SIGKILL') {
      if (!server.running) return
      child?.kill(signal)
      await exited
    },
    async start () {
      if (server.running) return
      await launch()
    },
    async stop () {
      if (stopped) return
      stopped = true
      await server.kill('SIGKILL')
      if (ownDir) rmSync(dir, { recursive: true, force: true })
    }
  }
  return server
}

/** True if a Redis answers PING at `host:port` within `ms`. */
export async function isRedisReachable (host: string, port: number, ms = 500): Promise<boolean> {
  const { Socket } = await import('node:net')
  return await new Promise(resolve => {
    const s = new Socket()
    const done = (ok: boolean): void => { s.destroy(); resolve(ok) }
    s.setTimeout(ms, () => done(false))
    s.once('error', () => done(false))
    s.connect(port, host, () => s.write('PING\r\n'))
    s.once('data', d => done(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH')))
  })
}

const run = promisify(execFile)

/**
 * A private Redis Cluster of `masters` masters, each with `replicas` replicas (default none), on
 * free loopback ports, created with `redis-cli --cluster create`; resolves once every node
 * reports cluster_state:ok and every replica is in sync. The first `masters` servers start as
 * the masters. The servers are watched like startRedisServer's; stop them (all) when done.
 */
export async function startRedisCluster ({ masters = 3, replicas = 0, startTimeout = 30_000 }: { masters?: number, replicas?: number, startTimeout?: number } = {}): Promise<RedisServer[]> {
  const servers: RedisServer[] = []
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freePort(true)
      servers.push(await startRedisServer({
        port,
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000',
          // A replica that lost its master takes over at once, whatever its replication lag
          // (the failover tests measure exactly that lag), and syncs start without delay.
          '--cluster-replica-validity-factor', '0', '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0']
      }))
    }
    await run('redis-cli', ['--cluster', 'create', ...servers.map(n => `${n.host}:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'])
    const deadline = Date.now() + startTimeout
    for (const n of servers) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(n.port), 'cluster', 'info'])
        const { stdout: repl } = await run('redis-cli', ['-p', String(n.port), 'info', 'replication'])
        if (stdout.includes('cluster_state:ok') && (repl.includes('role:master') || repl.includes('master_link_status:up'))) break
        if (Date.now() > deadline) throw new Error(`cluster did not become ok: ${stdout}`)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    }
    return servers
  } catch (err) {
    await Promise.all(servers.map(s => s.stop()))
    throw err
  }
}
