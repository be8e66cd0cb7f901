// Redis metrics, per client the pattern plugins use (label `client`: its @fastify/redis namespace,
// 'default', or 'client-N'): reachability, PING time, memory, evictions and the eviction policy.
// Read at scrape time from the client's RedisWatch, whose reading is shared with the health
// decorator and the memory watch and reused for a second.
import { clientsInUse } from '../shared/redis-registry.js'
import type { RedisSnapshot } from '../../lib/shared/redis-watch.js'
import { counter, gauge, type MetricsContext } from './context.js'
import { TotalFollower } from './tally.js'

export function redisMetrics (ctx: MetricsContext): void {
  // The metrics below each read every client: the watch answers them all from one reading (it
  // shares a reading in flight and reuses it for a second), so a scrape costs Redis one at most.
  const readings = async (): Promise<Array<{ client: string, s: RedisSnapshot }>> =>
    await Promise.all(clientsInUse(ctx.fastify).map(async c => ({ client: c.name, s: await c.watch.snapshot() })))
  const perClient = (name: string, help: string, value: (s: RedisSnapshot) => number | null): void => {
    gauge(ctx, {
      name,
      help,
      labelNames: ['client'],
      async collect () {
        this.reset()
        for (const { client, s } of await readings()) {
          const v = value(s)
          if (v !== null) this.set({ client }, v)
        }
      }
    })
  }
  perClient('frp_redis_up', '1 when the client answered PING within its timeout at the last reading.', s => s.up ? 1 : 0)
  perClient('frp_redis_ping_seconds', 'PING round trip at the last reading.', s => s.pingSeconds)
  perClient('frp_redis_used_memory_bytes', 'INFO memory used_memory.', s => s.usedMemoryBytes)
  perClient('frp_redis_maxmemory_bytes', 'INFO memory maxmemory (0: no limit).', s => s.maxmemoryBytes)
  const evicted = new TotalFollower()
  counter(ctx, {
    name: 'frp_redis_evicted_keys_total',
    help: 'INFO stats evicted_keys: keys Redis evicted under maxmemory.',
    labelNames: ['client'],
    async collect () {
      for (const { client, s } of await readings()) if (s.evictedKeys !== null) evicted.follow(this, client, { client }, s.evictedKeys)
    }
  })
  gauge(ctx, {
    name: 'frp_redis_maxmemory_policy_info',
    help: 'The eviction policy (label policy), always 1.',
    labelNames: ['client', 'policy'],
    async collect () {
      this.reset()
      for (const { client, s } of await readings()) if (s.maxmemoryPolicy !== null) this.set({ client, policy: s.maxmemoryPolicy }, 1)
    }
  })
}
