// Rate-limit metrics: one count per counted decision (peeks are not decisions), by policy, outcome
// and who decided (Redis, the local block cache, or the failure policy while Redis failed).
import type { RateLimitDecision } from '../../lib/rate-limit/events.js'
import { watchCores } from '../shared/cores.js'
import { onFirst, talliedCounter, listen, type MetricsContext } from './context.js'

export function rateLimitMetrics (ctx: MetricsContext): void {
  ctx.cleanup.push(watchCores(ctx.fastify, 'rateLimiter', onFirst(() => {
    const decisions = talliedCounter(ctx, {
      name: 'frp_ratelimit_decisions_total',
      help: 'Rate-limit decisions by policy, outcome (allowed, denied) and source (redis, block_cache, insurance, fail_open, fail_closed).',
      labelNames: ['policy', 'outcome', 'source']
    })
    const errors = talliedCounter(ctx, {
      name: 'frp_ratelimit_redis_errors_total',
      help: 'Redis failures and timeouts of the rate limiter (its failure policy answered).'
    })
    return limiter => {
      listen(ctx, limiter, 'decision', (d: RateLimitDecision) => {
        if (!d.counted) return
        // One string per decision: the three labels' values, joined (all bounded).
        decisions.add(d.policy.name + (d.allowed ? '\n+' : '\n-') + d.source, () => ({
          policy: d.policy.name,
          outcome: d.allowed ? 'allowed' : 'denied',
          source: d.source.replace('-', '_')
        }))
      })
      listen(ctx, limiter, 'error', () => { errors.add('', () => ({})) })
    }
  })))
}
