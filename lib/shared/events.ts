// The one base for every core's events (Cache, RateLimiter, SessionStore, Locker, Leaderboard,
// Queue, Worker, QueueEvents): an EventEmitter whose on/once/off know each event's listener
// arguments, from an interface that maps event names to argument tuples. Only the listener side is
// typed: emitting goes through EventEmitter's own emit, so a hot path pays no extra call or
// rest-argument array per event. Cores emit only when someone listens (`listenerCount(e) > 0`),
// except 'error', which EventEmitter throws when nobody listens: cores check before emitting it.
import { EventEmitter } from 'node:events'

/** Event name → the arguments its listeners get. */
export type EventMap<Events> = { [E in keyof Events]: unknown[] }

export class TypedEmitter<Events extends EventMap<Events>> extends EventEmitter {
  override on<E extends keyof Events & string> (event: E, listener: (...args: Events[E]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void)
  }

  override once<E extends keyof Events & string> (event: E, listener: (...args: Events[E]) => void): this {
    return super.once(event, listener as (...args: unknown[]) => void)
  }

  override off<E extends keyof Events & string> (event: E, listener: (...args: Events[E]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void)
  }
}
