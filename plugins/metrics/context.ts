// What every pattern's metrics need: prom-client (loaded once, it is an optional peer), the
// registry to register in, the app (to find its cores), the histogram buckets, and a list of
// undo functions run when the app closes (listeners come off the cores).
import type { FastifyInstance } from 'fastify'
import type * as Prom from 'prom-client'
import { Tally } from './tally.js'

export interface MetricsContext {
  prom: typeof Prom
  registry: Prom.Registry
  fastify: FastifyInstance
  /** Buckets (seconds) of the latency histograms (fetch, lock wait and hold). */
  latencyBuckets: number[]
  /** Buckets (seconds) of the job histograms (run time, wait before the first run). */
  jobBuckets: number[]
  cleanup: Array<() => void>
  /** Names of the metrics defined so far (removed from a shared registry when the app closes). */
  defined: string[]
}

/** Listens to `event` of `emitter` until the app closes. */
export function listen (ctx: MetricsContext, emitter: { on: (e: any, l: any) => unknown, off: (e: any, l: any) => unknown }, event: string, listener: (...args: any[]) => void): void {
  emitter.on(event, listener)
  ctx.cleanup.push(() => { emitter.off(event, listener) })
}

type CounterConfig = Omit<Prom.CounterConfiguration<string>, 'registers'>
type GaugeConfig = Omit<Prom.GaugeConfiguration<string>, 'registers'>
type HistogramConfig = Omit<Prom.HistogramConfiguration<string>, 'registers'>

/** A counter in the app's registry. */
export function counter (ctx: MetricsContext, config: CounterConfig): Prom.Counter<string> {
  ctx.defined.push(config.name)
  return new ctx.prom.Counter({ ...config, registers: [ctx.registry] })
}

export function gauge (ctx: MetricsContext, config: GaugeConfig): Prom.Gauge<string> {
  ctx.defined.push(config.name)
  return new ctx.prom.Gauge({ ...config, registers: [ctx.registry] })
}

export function histogram (ctx: MetricsContext, config: HistogramConfig): Prom.Histogram<string> {
  ctx.defined.push(config.name)
  return new ctx.prom.Histogram({ ...config, registers: [ctx.registry] })
}

/** A counter fed by event counts: returns the Tally to add to (moved into the counter at scrape time). */
export function talliedCounter (ctx: MetricsContext, config: Omit<CounterConfig, 'collect'>): Tally {
  const tally = new Tally()
  counter(ctx, { ...config, collect () { tally.flush(this) } })
  return tally
}

/**
 * A core listener that first defines the pattern's metrics, when its first core appears: an app
 * without that plugin shows none of them (no empty families, no counters stuck at 0).
 */
export function onFirst<C> (define: () => (core: C) => void): (core: C) => void {
  let attach: ((core: C) => void) | null = null
  return core => { (attach ??= define())(core) }
}
