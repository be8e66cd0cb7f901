// The published package is the library alone (issue 16 item 9): `npm pack` the built package,
// install the tarball into a fresh project (fastify comes in as the peer dependency) and import
// every subpath export from there. The example app and the dev Redis spawner must not be inside.
// The published types compile in that consumer, strict and without skipLibCheck, on NodeNext and
// on bundler resolution (regression, issue 18: on bundler the coded errors' declarations failed
// with 35 × TS2503 "Cannot find namespace 'createError'").
import { test } from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

test('npm pack holds the library alone and every subpath export imports from an installed tarball', async t => {
  t.setTimeout(600_000) // tsc, npm pack and npm install on a busy 2-core machine
  const dir = await mkdtemp(join(tmpdir(), 'frp-pack-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await run('npm', ['run', 'build'], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 16 * 1024 * 1024 })
  const [packed] = JSON.parse(stdout) as Array<{ filename: string, files: Array<{ path: string }> }>
  const files = packed.files.map(f => f.path)
  t.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), 'the library entry point and its types')
  t.ok(files.includes('LICENSE'), 'the LICENSE file')
  t.ok(files.includes('CHANGELOG.md'), 'the CHANGELOG')
  t.ok(files.some(f => f.endsWith('.lua')), 'the Lua scripts beside the compiled patterns')
  t.strictSame(files.filter(f => /example-app|lib\/dev\/|^test\/|^bench\/|\.test\./.test(f)), [], 'no example-app, dev, test or bench file')

  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string, exports: Record<string, unknown>, dependencies: Record<string, string>, peerDependencies: Record<string, string> }
  t.equal(manifest.dependencies.fastify, undefined, 'fastify is not a dependency')
  t.ok(manifest.peerDependencies.fastify, 'fastify is a peer dependency')

  const consumer = join(dir, 'consumer')
  await run('mkdir', ['-p', consumer])
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }))
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', join(dir, packed.filename)], { cwd: consumer, maxBuffer: 16 * 1024 * 1024 })

  const subpaths = Object.keys(manifest.exports).filter(p => p !== './package.json')
  t.ok(subpaths.length >= 7, `subpaths: ${subpaths.join(' ')}`)
  const script = `
    const out = {}
    for (const p of ${JSON.stringify(subpaths)}) {
      const spec = p === '.' ? '${manifest.name}' : '${manifest.name}/' + p.slice(2)
      const m = await import(spec)
      out[p] = Object.keys(m).filter(k => m[k] !== undefined).sort()
    }
    console.log(JSON.stringify(out))`
  const imported = JSON.parse((await run('node', ['--input-type=module', '-e', script], { cwd: consumer })).stdout) as Record<string, string[]>
  for (const p of subpaths) t.ok(imported[p].length > 0, `${p} imports and exports ${imported[p].join(', ')}`)
  t.ok(imported['.'].includes('redisCache') && imported['.'].includes('Queue'), 'the root export holds plugins and cores')
  for (const [p, plugin] of [['./cache', 'redisCache'], ['./session', 'redisSession'], ['./rate-limit', 'redisRateLimit'], ['./lock', 'redisLock'], ['./leaderboard', 'redisLeaderboard'], ['./queue', 'redisQueue'], ['./otp', 'redisOtp'], ['./dashboard', 'redisDashboard'], ['./activity', 'redisActivity']]) {
    t.ok(imported[p]?.includes(plugin), `${p} exports ${plugin}`)
  }

  // Types, as a TypeScript user of the package sees them.
  await writeFile(join(consumer, 'index.ts'), [
    "import Fastify from 'fastify'",
    "import { redisCache, Cache, FRP_REDIS_TIMEOUT, type CacheOptions } from 'fastify-redis-patterns'",
    "import { redisSession } from 'fastify-redis-patterns/session'",
    "import { redisRateLimit } from 'fastify-redis-patterns/rate-limit'",
    "import { redisLock } from 'fastify-redis-patterns/lock'",
    "import { redisLeaderboard } from 'fastify-redis-patterns/leaderboard'",
    "import { redisQueue } from 'fastify-redis-patterns/queue'",
    'const app = Fastify()',
    'const options: CacheOptions = { ttl: 1000 }',
    'void app.register(redisCache, options)',
    "void app.register(redisSession, { secret: 'a'.repeat(32) })",
    'void app.register(redisRateLimit, { limit: 1, window: 1000 })',
    'void app.register(redisLock, {})',
    'void app.register(redisLeaderboard, {})',
    'void app.register(redisQueue, {})',
    'const err = new FRP_REDIS_TIMEOUT(100)',
    "const code: 'FRP_REDIS_TIMEOUT' = err.code",
    'const status: 503 = err.statusCode',
    'export { code, status, Cache }',
    ''
  ].join('\n'))
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const typeRoots = [join(root, 'node_modules', '@types')]
  for (const [label, compilerOptions] of [
    ['NodeNext', { module: 'NodeNext', moduleResolution: 'NodeNext' }],
    ['bundler', { module: 'ESNext', moduleResolution: 'bundler' }]
  ] as const) {
    const config = join(consumer, `tsconfig.${label}.json`)
    await writeFile(config, JSON.stringify({
      compilerOptions: { ...compilerOptions, target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true, types: ['node'], typeRoots },
      files: ['index.ts']
    }))
    const output = await run(process.execPath, [tsc, '-p', config], { cwd: consumer, maxBuffer: 16 * 1024 * 1024 }).then(() => '', (e: { stdout?: string }) => e.stdout ?? String(e))
    // One diagnostic per line that starts with a file name; continuation lines are indented.
    const diagnostics = output.split('\n').filter(line => /^\S.*error TS\d+/.test(line))
    // ioredis 6 ships declarations that import the untyped 'redis-errors' (TS7016 under strict):
    // every ioredis user without skipLibCheck meets them, and they are not ours to fix.
    const ours = diagnostics.filter(line => !line.startsWith('node_modules/ioredis/'))
    t.strictSame(ours, [], `the published types compile on ${label} resolution, strict, without skipLibCheck`)
    t.ok(diagnostics.every(line => ours.includes(line) || /^node_modules\/ioredis\/built\/errors\/\w+\.d\.ts\(\d+,\d+\): error TS7016/.test(line)),
      `the only other diagnostics are ioredis's own redis-errors imports (${diagnostics.length - ours.length})`)
  }
})
