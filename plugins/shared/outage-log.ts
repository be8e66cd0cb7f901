// What a plugin logs while its Redis is unreachable: one warn when the first call fails, one debug
// line per failed request (through the request's own logger, so it carries the reqId), and one
// info when Redis answers again, with the number of calls that failed in between. An outage used
// to write a warn or error line with a stack trace per request: the same news, hundreds of times.
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import { redisError, withTimeout } from '../../lib/shared/call-policy.js'
import type { RedisClient } from '../../lib/shared/connection.js'
import { skipDefaultErrorLog } from './default-error-log.js'

export interface OutageLogOptions {
  /** The pattern's name, opening every line ("session: ..."). */
  pattern: string
  /** What the plugin does until Redis answers, for the warn (e.g. "requests that use the session answer 503"). */
  whileDown: string
  /** The plugin's clients: "back" once a majority of them answer a PING (one of one, usually). */
  clients: readonly RedisClient[]
  /** The app's logger. */
  log: FastifyBaseLogger
  /** Longest wait for one probe PING, ms (default 1000). */
  probeTimeout?: number
}

// Codes that wrap the call's own coded error (as `cause`): the cause says whether Redis was down.
const WRAPPERS = new Set(['FRP_SESSION_UNAVAILABLE', 'FRP_RATE_LIMIT_STORE'])
const DOWN = new Set(['FRP_REDIS_UNAVAILABLE', 'FRP_REDIS_TIMEOUT'])
/** Pause between probes that failed at once (a connection still reconnecting). */
const PROBE_PAUSE = 200

/**
 * The code of `err` when it says Redis could not be reached or did not answer, else null: a
 * wrong-type key, a script bug or a value too large is not an outage and keeps its own logging.
 * Raw ioredis errors (the cache's fail-open path records them as they came) are coded first.
 */
export function outageCode (err: unknown): string | null {
  let e = err
  for (let depth = 0; depth < 3; depth++) {
    const code = (e as { code?: unknown } | null)?.code
    if (typeof code !== 'string' || !code.startsWith('FRP_')) {
      const coded = (redisError(e) as Error & { code?: string }).code ?? ''
      return DOWN.has(coded) ? coded : null
    }
    if (DOWN.has(code)) return code
    if (!WRAPPERS.has(code)) return null
    const cause = (e as { cause?: unknown }).cause
    // A wrapper without a cause was made for an unreachable store (the rate limiter's 503).
    if (cause === undefined) return code
    e = cause
  }
  return null
}

function describe (err: unknown): string {
  const e = err as { code?: unknown, message?: unknown } | null
  const message = typeof e?.message === 'string' ? e.message : String(err)
  return typeof e?.code === 'string' ? `${e.code}: ${message}` : message
}

function seconds (ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/**
 * One plugin's outage log. "Back" is not the next successful call: that would need a hook on
 * every plugin's success path (the rate limiter's and the cache's hot paths among them), and a
 * pattern nobody calls would never say it recovered. While down, the plugin's own clients are
 * probed with PING instead. A PING rides the same connection as the calls: when it answers, every
 * call sent before it has been answered or has already failed, so late failures of the outage do
 * not open a second one. A client's 'ready' event alone would miss a `CLIENT PAUSE` or a blocked
 * server, where the connection never drops.
 */
export class OutageLog {
  readonly #o: Required<OutageLogOptions>
  #down = false
  #since = 0
  #failed = 0
  #closed = false
  #timer: NodeJS.Timeout | null = null

  constructor (options: OutageLogOptions) {
    this.#o = { probeTimeout: 1000, ...options }
  }

  /** True between the warn and the info. */
  get down (): boolean { return this.#down }

  /**
   * Counts a failed call when `err` says Redis is unreachable (warns on the first of an outage);
   * returns false, counting nothing, for any other error, which the caller handles as before.
   */
  failed (err: unknown): boolean {
    const code = outageCode(err)
    if (code === null) return false
    this.#failed++
    if (!this.#down && !this.#closed) {
      this.#down = true
      this.#since = performance.now()
      this.#o.log.warn({ pattern: this.#o.pattern, code }, `${this.#o.pattern}: Redis unreachable (${describe(err)}); ${this.#o.whileDown} until it answers`)
      this.#probe()
    }
    return true
  }

  /**
   * A request's failed call: counted as `failed` does (unless `counted`: an event of the core has
   * counted it already), written at debug through the request's logger, and kept out of Fastify's
   * default error log when the error goes on to the error handler. False for an error that is
   * not an outage (nothing logged).
   */
  request (request: FastifyRequest, err: unknown, what: string, counted = false): boolean {
    if (counted ? outageCode(err) === null : !this.failed(err)) return false
    request.log.debug({ err }, `${this.#o.pattern}: Redis call failed; ${what}`)
    skipDefaultErrorLog(request, err)
    return true
  }

  /** A route handler of the plugin, its Redis failures reported through `request` before they go on to the error handler. */
  route<Q extends FastifyRequest, A extends unknown[], R> (handler: (request: Q, ...rest: A) => Promise<R>, counted = false): (request: Q, ...rest: A) => Promise<R> {
    const outage = this
    return async function (this: unknown, request: Q, ...rest: A): Promise<R> {
      try {
        return await handler.call(this, request, ...rest)
      } catch (err) {
        outage.request(request, err, `${request.method} ${request.routeOptions.url ?? request.url} answered ${(err as { statusCode?: number }).statusCode ?? 500}`, counted)
        throw err
      }
    }
  }

  /** Stops probing (the app is closing): an outage still open then is not reported as over. */
  close (): void {
    this.#closed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  #probe (): void {
    if (this.#closed) return
    const clients = this.#o.clients
    const needed = Math.floor(clients.length / 2) + 1
    const started = performance.now()
    Promise.all(clients.map(c => this.#ping(c))).then(answers => {
      if (this.#closed) return
      if (answers.filter(Boolean).length >= needed) {
        this.#back()
        return
      }
      // A PING that waited its whole timeout is retried at once; one refused at once (the
      // connection reconnecting) after a pause, so a dead server is not probed in a tight loop.
      const waited = performance.now() - started
      this.#timer = setTimeout(() => { this.#timer = null; this.#probe() }, Math.max(0, PROBE_PAUSE - waited))
      this.#timer.unref()
    }, () => {})
  }

  #ping (client: RedisClient): Promise<boolean> {
    return withTimeout(client.ping(), this.#o.probeTimeout).then(() => true, () => false)
  }

  #back (): void {
    const n = this.#failed
    const ms = performance.now() - this.#since
    this.#down = false
    this.#failed = 0
    this.#o.log.info({ pattern: this.#o.pattern, failedCalls: n, downMs: Math.round(ms) },
      `${this.#o.pattern}: Redis is back after ${n} failed call${n === 1 ? '' : 's'} (${seconds(ms)})`)
  }
}

/** The outage log of one plugin, logging through fastify.log and closed with the app. */
export function outageLog (fastify: FastifyInstance, options: Omit<OutageLogOptions, 'log'>): OutageLog {
  const log = new OutageLog({ ...options, log: fastify.log })
  fastify.addHook('onClose', async () => { log.close() })
  return log
}
