// Session metrics: loads by result, saves by result, sessions created and destroyed.
import { watchCores } from '../shared/cores.js'
import { onFirst, talliedCounter, listen, type MetricsContext } from './context.js'

export function sessionMetrics (ctx: MetricsContext): void {
  ctx.cleanup.push(watchCores(ctx.fastify, 'sessions', onFirst(() => {
    const loads = talliedCounter(ctx, {
      name: 'frp_session_loads_total',
      help: 'Session loads by result: found, missing (unknown or expired), invalid (malformed id or bad signature).',
      labelNames: ['result']
    })
    const saves = talliedCounter(ctx, {
      name: 'frp_session_saves_total',
      help: 'Session writes by result: ok, conflict (the new id was taken), refused (the session was destroyed or expired meanwhile).',
      labelNames: ['result']
    })
    const created = talliedCounter(ctx, { name: 'frp_sessions_created_total', help: 'Sessions stored for the first time.' })
    const destroyed = talliedCounter(ctx, { name: 'frp_sessions_destroyed_total', help: 'Live sessions destroyed (logout, destroy, the old id of a login).' })
    return store => {
      listen(ctx, store, 'loaded', (result: string) => { loads.add(result, () => ({ result })) })
      listen(ctx, store, 'saved', () => { saves.add('ok', () => ({ result: 'ok' })) })
      listen(ctx, store, 'conflict', (_id: string, code: string) => {
        const result = code === 'FRP_SESSION_ID_TAKEN' ? 'conflict' : 'refused'
        saves.add(result, () => ({ result }))
      })
      listen(ctx, store, 'created', () => { created.add('', () => ({})) })
      listen(ctx, store, 'destroyed', () => { destroyed.add('', () => ({})) })
    }
  })))
}
