// The one Redis call policy (lib/shared/call-policy.ts): a Bound times a stalled call out with
// FRP_REDIS_TIMEOUT and nothing else; it costs nothing (the very promise back, no timer) when the
// client's own commandTimeout already bounds the call; redisError turns every Redis failure into
// a coded error, with the original as its cause.
import { test } from 'tap'
import { ReplyError } from 'ioredis'
import { boundFor, redisError, isRefusal, clientCommandTimeout, effectiveTimeout } from '../../lib/shared/call-policy.js'
import { startCluster, startRedis } from '../helpers/redis.js'

test('a Bound rejects a call stalled by CLIENT PAUSE with FRP_REDIS_TIMEOUT, then the client works again', async t => {
  const redis = await startRedis(t)
  const c = redis.client({ commandTimeout: undefined })
  await c.ping()
  const bound = boundFor(c, 50)
  const own = c.ping()
  t.not(bound(own), own, 'a client without commandTimeout gets our deadline')
  await own
  await redis.pause(3000) // far longer than the 50 ms bound, even on a slow machine
  await t.rejects(bound(c.get('x')), { code: 'FRP_REDIS_TIMEOUT', statusCode: 503, message: /50 ms/ })
})

test('a Bound rejects a call stalled by DEBUG SLEEP with FRP_REDIS_TIMEOUT', async t => {
  const redis = await startRedis(t)
  const c = redis.client({ commandTimeout: undefined })
  await c.ping()
  await redis.admin('PING')
  // 3 s: far longer than the 100 ms bound, so the GET lands inside the sleep on a slow machine.
  const sleeping = redis.admin('DEBUG', 'SLEEP', '3')
  await new Promise(resolve => setImmediate(resolve))
  await t.rejects(boundFor(c, 100)(c.get('x')), { code: 'FRP_REDIS_TIMEOUT' })
  await sleeping
})

test('a Bound settles like the call when it answers in time, and passes its errors through untranslated', async t => {
  const redis = await startRedis(t)
  const c = redis.client({ commandTimeout: undefined })
  const bound = boundFor(c, 5000)
  await c.set('k', 'v')
  t.equal(await bound(c.get('k')), 'v')
  const boom = new Error('boom')
  await t.rejects(bound(Promise.reject(boom)), boom, 'the very error, not a coded one')
})

test('no timer when the client\'s own commandTimeout is at or below the bound: the call\'s own promise comes back', async t => {
  const redis = await startRedis(t)
  const tight = redis.client({ commandTimeout: 100 })
  t.equal(clientCommandTimeout(tight), 100)
  for (const ms of [100, 1000]) {
    const p = tight.ping()
    t.equal(boundFor(tight, ms)(p), p, `bound ${ms} ms over a client timing out at 100 ms: no wrapper`)
    await p
  }
  const loose = redis.client({ commandTimeout: 5000 })
  const p = loose.ping()
  t.not(boundFor(loose, 100)(p), p, 'a looser client timeout needs our deadline')
  await p
  t.equal(effectiveTimeout(tight, 1000), 100)
  t.equal(effectiveTimeout(loose, 100), 100)
  const p0 = loose.ping()
  t.equal(boundFor(loose, 0)(p0), p0, 'a bound of 0 ms is no bound')
  await p0

  // A Cluster queues commands before any node's timer is armed: it always gets our deadline.
  const cluster = await startCluster(t)
  const cc = cluster.client({ redisOptions: { commandTimeout: 100 } })
  t.equal(clientCommandTimeout(cc), undefined)
  const pc = cc.ping()
  t.not(boundFor(cc, 1000)(pc), pc)
  await pc
})

test('redisError maps every failure to a coded error, the original as cause', async t => {
  const redis = await startRedis(t, { args: ['--maxmemory-policy', 'noeviction'] })
  const c = redis.client()
  const failure = async (p: Promise<unknown>): Promise<unknown> => await p.then(() => { throw new Error('expected a failure') }, (e: unknown) => e)

  // Coded errors pass through untouched.
  const coded = redisError(new ReplyError('LOADING'), 1)
  t.equal(redisError(coded, 5), coded, 'a coded error passes through')

  // A wrong-type key: a bug or a corrupted key, a 500 naming the command (or the script).
  await c.set('str', 'x')
  const wrongType = await failure(c.lpush('str', 'y'))
  t.match(redisError(wrongType, 100), { code: 'FRP_REDIS_ERROR', statusCode: 500, message: /"LPUSH".*WRONGTYPE/, cause: wrongType })
  t.match(redisError(wrongType, 100, { command: 'PUSH' }), { code: 'FRP_REDIS_ERROR', message: /"PUSH"/ })
  t.match(redisError(wrongType, 100, { script: 'add' }), { code: 'FRP_SCRIPT_ERROR', statusCode: 500, message: /"add"/, cause: wrongType })

  // Out of memory under maxmemory: Redis refuses to serve now, a 503.
  await redis.admin('CONFIG', 'SET', 'maxmemory', '1')
  t.teardown(() => redis.admin('CONFIG', 'SET', 'maxmemory', '0').catch(() => {}))
  const oom = await failure(c.set('k', 'v'))
  t.match(oom, { name: 'ReplyError', message: /^OOM/ })
  t.match(redisError(oom, 100, { script: 'add' }), { code: 'FRP_REDIS_UNAVAILABLE', statusCode: 503, cause: oom }, 'a refusal is 503 even for a script')
  await redis.admin('CONFIG', 'SET', 'maxmemory', '0')

  // ioredis's own commandTimeout: FRP_REDIS_TIMEOUT with the call's bound.
  const timed = redis.client({ commandTimeout: 50 })
  await timed.ping()
  await redis.pause(2000)
  const timeout = await failure(timed.get('k'))
  t.match(redisError(timeout, 50), { code: 'FRP_REDIS_TIMEOUT', statusCode: 503, message: /50 ms/, cause: timeout })

  // A closed connection: FRP_REDIS_UNAVAILABLE.
  const gone = redis.client({ enableOfflineQueue: false })
  gone.disconnect()
  const closed = await failure(gone.get('k'))
  t.match(redisError(closed, 100), { code: 'FRP_REDIS_UNAVAILABLE', statusCode: 503, cause: closed })

  // A non-Redis rejection (a dead Cluster's "Too many Cluster redirections", ...): unavailable too.
  t.match(redisError('a string', 100), { code: 'FRP_REDIS_UNAVAILABLE', message: /a string/ })
})

test('a read-only replica (READONLY) is FRP_REDIS_UNAVAILABLE', async t => {
  const master = await startRedis(t)
  const replica = await startRedis(t)
  await replica.admin('REPLICAOF', master.host, master.port)
  const err = await replica.client().set('k', 'v').then(() => null, (e: unknown) => e)
  t.match(err, { name: 'ReplyError', message: /^READONLY/ })
  t.match(redisError(err), { code: 'FRP_REDIS_UNAVAILABLE', cause: err })
})

test('every refusal reply is FRP_REDIS_UNAVAILABLE, bare or wrapped by a script error (Redis < 7)', async t => {
  const refusals = [
    'OOM command not allowed when used memory > \'maxmemory\'.',
    'READONLY You can\'t write against a read only replica.',
    'LOADING Redis is loading the dataset in memory',
    'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to \'no\'.',
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    // Regression (chaos soak on a Cluster): redirections ioredis did not follow were 500s.
    'ASK 6093 127.0.0.1:30002',
    'MOVED 6093 127.0.0.1:30002',
    // Regression (chaos soak on a Cluster): a worker's BZPOPMIN ended by a failover was a 500.
    'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)',
    'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.',
    'NOREPLICAS Not enough good replicas to write.'
  ]
  for (const message of refusals) {
    t.ok(isRefusal(message), message)
    t.match(redisError(new ReplyError(message), 10, { script: 's' }), { code: 'FRP_REDIS_UNAVAILABLE' }, message)
    const wrapped = `ERR Error running script (call to f_0123): @user_script:12: -${message}`
    t.match(redisError(new ReplyError(wrapped), 10, { script: 's' }), { code: 'FRP_REDIS_UNAVAILABLE' }, `wrapped: ${message}`)
  }
  for (const message of ['ERR unknown command', 'WRONGTYPE Operation against a key holding the wrong kind of value', 'NOSCRIPT No matching script', 'BUSYKEY Target key name already exists.']) {
    t.notOk(isRefusal(message), `not a refusal: ${message}`)
  }
})
