// Listener of a queue's capped event stream. It remembers the last stream id it delivered, so
// after a disconnect (or a Redis restart with persistence) it resumes where it stopped instead of
// missing what happened meanwhile: the stream keeps the last `maxEvents` events.
import { withTimeout } from '../shared/call-policy.js'
import { reconnectDelay, duplicateConnection, type RedisClient } from '../shared/connection.js'
import { FRP_REDIS_TIMEOUT } from '../shared/errors.js'
import { optDuration, optString, rejectUnknown, type Duration } from '../shared/options.js'
import { decodeValue } from './job.js'
import type { QueueKeys } from './keys.js'
import type { Codec } from '../shared/codec.js'
import { redisError } from '../shared/call-policy.js'
import { TypedEmitter } from '../shared/events.js'

export interface QueueEventsOptions {
  /** Stream id to start after: '$' (default) = only new events, '0' = everything still in the stream. */
  from?: string
  /** Longest single XREAD BLOCK, ms or a duration string (default 5000). */
  blockTimeout?: Duration
}

/** The events the queue's stream carries (QueueEvent.event). */
export type QueueEventName = 'added' | 'waiting' | 'active' | 'progress' | 'completed' | 'failed' |
'stalled' | 'released' | 'removed' | 'paused' | 'resumed'

/** One event of the queue's stream. */
export interface QueueEvent {
  event: QueueEventName
  /** The stream entry id (pass it as `from` to resume from here). */
  streamId: string
  jobId?: string
  name?: string
  returnValue?: unknown
  error?: string
  attemptsMade?: number
  /** On failed: true when the job will not be retried. */
  final?: boolean
  progress?: unknown
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/**
 * What an event listener needs of its queue (a Queue is one). Declared here rather than importing
 * Queue: Queue builds listeners (`queue.events()`), so importing it back would make the two
 * modules depend on each other.
 */
export interface EventsQueue {
  readonly name: string
  readonly redis: RedisClient
  readonly keys: QueueKeys
  readonly codec: Codec
}

/** The events of a QueueEvents listener: event name → listener arguments. */
export type QueueEventsEvents = { [E in QueueEventName]: [event: QueueEvent] } & {
  /** Every stream event, after its own. */
  event: [event: QueueEvent]
  /** Reading the stream failed (coded: FRP_REDIS_UNAVAILABLE, FRP_REDIS_TIMEOUT, …); it retries. Only emitted when someone listens. */
  error: [err: Error]
  /** close() finished. */
  closed: []
}

export class QueueEvents extends TypedEmitter<QueueEventsEvents> {
  readonly queue: EventsQueue
  #conn: RedisClient | null = null
  #last: string
  #block: number
  #closing = false
  #loop: Promise<void>
  #ready: Promise<void>

  constructor (queue: EventsQueue, opts: QueueEventsOptions = {}) {
    super()
    rejectUnknown('events', opts, ['from', 'blockTimeout'])
    this.queue = queue
    this.#last = optString('from', opts.from, '$')
    this.#block = optDuration('blockTimeout', opts.blockTimeout, 5000, 10, 300_000)
    let ready!: () => void
    this.#ready = new Promise(resolve => { ready = resolve })
    this.#loop = this.#run(ready)
  }

  /** Resolves once the listener is reading (events after this point are delivered). */
  waitUntilReady (): Promise<void> { return this.#ready }

  /** The stream id of the last delivered event. */
  get lastId (): string { return this.#last }

  #connection (): RedisClient {
    if (this.#closing) throw new Error('closed')
    if (this.#conn === null) {
      this.#conn = duplicateConnection(this.queue.redis, { blocking: true })
      this.#conn.on('error', () => {})
    }
    return this.#conn
  }

  async #run (ready: () => void): Promise<void> {
    const key = this.queue.keys.events
    let failures = 0
    while (!this.#closing) {
      try {
        const conn = this.#connection()
        if (this.#last === '$') {
          // Pin '$' to a concrete id, so events between two reads are never skipped.
          const top = await withTimeout(conn.xrevrange(key, '+', '-', 'COUNT', 1), 5000)
          this.#last = top.length > 0 ? top[0][0] : '0-0'
        }
        ready()
        const res = await withTimeout(conn.xread('COUNT', 500, 'BLOCK', this.#block, 'STREAMS', key, this.#last), this.#block + 2000)
        failures = 0
        if (res === null) continue
        for (const [, entries] of res) {
          for (const [streamId, fields] of entries) {
            this.#last = streamId
            this.#deliver(streamId, fields)
          }
        }
      } catch (err) {
        if (this.#closing) break
        if (err instanceof FRP_REDIS_TIMEOUT) { this.#conn?.disconnect(); this.#conn = null }
        if (this.listenerCount('error') > 0) this.emit('error', redisError(err, this.#block + 2000, { command: 'XREAD' }))
        await sleep(reconnectDelay(failures++))
      }
    }
  }

  #deliver (streamId: string, fields: string[]): void {
    const f: Record<string, string> = {}
    for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1]
    const e: QueueEvent = { event: f.ev as QueueEventName, streamId }
    if (f.id !== undefined) e.jobId = f.id
    if (f.name !== undefined) e.name = f.name
    if (f.ret !== undefined) {
      try { e.returnValue = decodeValue(this.queue.codec, f.ret) } catch { e.returnValue = undefined }
    }
    if (f.err !== undefined) e.error = f.err
    if (f.made !== undefined) e.attemptsMade = Number(f.made)
    if (f.final !== undefined) e.final = f.final === '1'
    if (f.data !== undefined) e.progress = JSON.parse(f.data)
    this.emit(e.event, e)
    this.emit('event', e)
  }

  async close (): Promise<void> {
    if (this.#closing) return await this.#loop
    this.#closing = true
    this.#conn?.disconnect()
    await this.#loop
    // The loop may have opened a connection while close() was starting.
    this.#conn?.disconnect()
    this.#conn = null
    this.emit('closed')
  }
}
