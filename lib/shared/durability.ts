// The `durability` option of the patterns whose writes must survive a failover (queue, session,
// leaderboard): after each acknowledged write, `WAIT numreplicas timeout` on the connection that
// carried it, and FRP_NOT_REPLICATED when too few replicas confirm in time.
//
// Why the same connection: Redis answers WAIT for the replication offset of the calling
// connection's last write. On another connection (or on a new one after a reconnect, which the
// client may do behind our back, e.g. to a promoted replica) WAIT covers nothing and answers at
// once: a false confirmation exactly when it matters. So each waiter remembers the socket its
// write was answered on, and is confirmed only by a WAIT answered on that same socket.
//
// Why batched: WAIT blocks its connection until the replicas answer. One WAIT per write would
// queue behind each other on the server, each waiting its full timeout while a replica is down,
// and stall every other command sharing the connection for as long. Here one WAIT at most is in
// flight per connection and setting; writes answered meanwhile share the next one. When a WAIT
// comes back short, the writes queued behind it fail with it at once (replicas that did not reach
// an older offset in time will not reach a newer one sooner), so a write waits about one
// `timeout` at most, plus the call's own bound.
import { Command, type Redis } from 'ioredis'
import { isCluster, type RedisClient } from './client.js'
import { redisError } from './call-policy.js'
import { FRP_NOT_REPLICATED } from './errors.js'
import { invalid, optDuration, optInt, rejectUnknown, type Duration } from './options.js'
import { keySlot } from './key-slot.js'

/** The `durability` option: acknowledge a write only once `replicas` replicas hold it. */
export interface DurabilityOptions {
  /** Replicas that must confirm each write, an integer >= 1. */
  replicas: number
  /** How long to wait for them, ms or a duration string ('1s'), > 0. */
  timeout: Duration
}

export interface Durability {
  readonly replicas: number
  /** ms */
  readonly timeout: number
}

/** Longest accepted `durability.timeout`: a minute (WAIT blocks its connection meanwhile). */
const MAX_WAIT = 60_000

/** Validates `durability` (undefined stays undefined: the option is off). `name` is its path, e.g. 'queue.durability'. */
export function normalizeDurability (name: string, value: unknown): Durability | undefined {
  if (value === undefined) return undefined
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'must be { replicas, timeout }')
  rejectUnknown(name, value, ['replicas', 'timeout'])
  const v = value as Partial<DurabilityOptions>
  if (v.replicas === undefined) throw invalid(`${name}.replicas`, 'is required (an integer >= 1)')
  if (v.timeout === undefined) throw invalid(`${name}.timeout`, 'is required (a duration > 0)')
  return Object.freeze({
    replicas: optInt(`${name}.replicas`, v.replicas, 1, 1, 1000),
    timeout: optDuration(`${name}.timeout`, v.timeout, 1, 1, MAX_WAIT)
  })
}

interface Waiter {
  /** The socket the write was answered on. */
  readonly stream: unknown
  readonly resolve: () => void
  readonly reject: (err: Error) => void
}

/** One connection's WAITs of one setting: at most one in flight, the writes answered since queued for the next. */
interface Batch {
  inFlight: boolean
  queued: Waiter[]
}

const batches = new WeakMap<object, Map<string, Batch>>()

/**
 * Resolves once `durability.replicas` replicas confirmed every write the connection serving `key`
 * has carried so far; rejects with FRP_NOT_REPLICATED otherwise. Call it in the continuation of
 * the write (no other await in between): it notes the connection the write was answered on.
 * `boundMs` is the call's own bound (the call policy's `timeoutMs`): the WAIT may take that long
 * plus `durability.timeout`, never less, whatever the client's own commandTimeout.
 */
export function confirmReplicated (redis: RedisClient, key: string, durability: Durability, boundMs: number): Promise<void> {
  const conn = connectionOf(redis, key)
  if (conn === undefined) return Promise.reject(notReplicated(0, durability, ' (no master is known for the key\'s slot)'))
  let perConn = batches.get(conn)
  if (perConn === undefined) batches.set(conn, (perConn = new Map()))
  const setting = `${durability.replicas}:${durability.timeout}`
  let batch = perConn.get(setting)
  if (batch === undefined) perConn.set(setting, (batch = { inFlight: false, queued: [] }))
  const b = batch
  return new Promise<void>((resolve, reject) => {
    b.queued.push({ stream: conn.stream, resolve, reject })
    if (!b.inFlight) send(conn, b, durability, boundMs)
  })
}

/** The connection that serves `key`: the client itself, or on a Cluster the master of the key's slot. */
function connectionOf (redis: RedisClient, key: string): Redis | undefined {
  if (!isCluster(redis)) return redis
  const master = redis.slots[keySlot(key)]?.[0]
  if (master === undefined) return undefined
  return redis.nodes('master').find(n => `${n.options.host}:${n.options.port}` === master)
}

function send (conn: Redis, b: Batch, d: Durability, boundMs: number): void {
  const waiters = b.queued
  b.queued = []
  b.inFlight = true
  const command = new Command('wait', [d.replicas, d.timeout])
  // Armed before sendCommand, so the client's own commandTimeout (armed only when none is) does
  // not cut the WAIT short: it may legitimately block for `timeout`.
  command.setTimeout(boundMs + d.timeout)
  ;(conn.sendCommand(command) as Promise<unknown>).then(reply => {
    b.inFlight = false
    const n = Number(reply)
    if (n < d.replicas) return failAll(b, waiters, () => notReplicated(n, d, ''))
    for (const w of waiters) {
      if (w.stream === conn.stream) w.resolve()
      else w.reject(notReplicated(0, d, ' (the connection to the master was replaced before they confirmed)'))
    }
    if (b.queued.length > 0) send(conn, b, d, boundMs)
  }, (err: unknown) => {
    b.inFlight = false
    const coded = redisError(err, boundMs + d.timeout, { command: 'WAIT' })
    failAll(b, waiters, () => notReplicated(0, d, ` (${coded.message})`, coded))
  })
}

/** Fails `waiters` and every write queued behind them (see the header: they would not fare better). */
function failAll (b: Batch, waiters: Waiter[], error: () => Error): void {
  const queued = b.queued
  b.queued = []
  for (const w of waiters) w.reject(error())
  for (const w of queued) w.reject(error())
}

function notReplicated (confirmed: number, d: Durability, why: string, cause?: Error): Error {
  return cause === undefined
    ? new FRP_NOT_REPLICATED(confirmed, d.replicas, d.timeout, why)
    : new FRP_NOT_REPLICATED(confirmed, d.replicas, d.timeout, why, { cause })
}
