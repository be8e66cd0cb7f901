// Lock metrics: acquires by outcome, time waited for a lock and time it was held, leases lost and
// extensions. The hold time runs from 'acquired' to 'released' (a lost lease is counted as lost).
import type { Lease } from '../../lib/lock/lease.js'
import { watchCores } from '../shared/cores.js'
import { onFirst, talliedCounter, histogram, listen, type MetricsContext } from './context.js'

export function lockMetrics (ctx: MetricsContext): void {
  ctx.cleanup.push(watchCores(ctx.fastify, 'locker', onFirst(() => {
    const acquires = talliedCounter(ctx, {
      name: 'frp_lock_acquires_total',
      help: 'Lock acquires by outcome: acquired, timeout (the wait ended), error (Redis failed).',
      labelNames: ['outcome']
    })
    const wait = histogram(ctx, { name: 'frp_lock_wait_seconds', help: 'Time an acquire took until the lock was held.', buckets: ctx.latencyBuckets })
    const held = histogram(ctx, { name: 'frp_lock_held_seconds', help: 'Time a lock was held, acquire to release.', buckets: ctx.latencyBuckets })
    const lost = talliedCounter(ctx, { name: 'frp_lock_lost_total', help: 'Leases lost before their release (an extension refused, or the deadline passed).' })
    const extensions = talliedCounter(ctx, { name: 'frp_lock_extensions_total', help: 'Lease extensions (extend() and keep-alive).' })

    const since = new WeakMap<Lease, number>()
    return locker => {
      listen(ctx, locker, 'acquired', (lease: Lease<boolean>, waitedMs: number) => {
        acquires.add('acquired', () => ({ outcome: 'acquired' }))
        wait.observe(waitedMs / 1000)
        since.set(lease, performance.now())
      })
      listen(ctx, locker, 'acquireTimeout', () => { acquires.add('timeout', () => ({ outcome: 'timeout' })) })
      listen(ctx, locker, 'acquireError', () => { acquires.add('error', () => ({ outcome: 'error' })) })
      listen(ctx, locker, 'released', (lease: Lease<boolean>) => {
        const t0 = since.get(lease)
        if (t0 !== undefined) held.observe((performance.now() - t0) / 1000)
      })
      listen(ctx, locker, 'lost', () => { lost.add('', () => ({})) })
      listen(ctx, locker, 'extended', () => { extensions.add('', () => ({})) })
    }
  })))
}
