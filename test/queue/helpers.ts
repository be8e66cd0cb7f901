// Shared bits of the queue tests: a Queue per test on a fresh key prefix, closed at teardown.
import { Queue } from '../../lib/queue/queue.js'
import type { QueueOptions } from '../../lib/queue/options.js'
import type { RedisClient } from '../../lib/shared/scripts.js'

let n = 0

export function makeQueue<T = unknown, R = unknown> (t: { teardown: (fn: () => unknown) => void }, redis: RedisClient, opts: QueueOptions = {}, name = `q${++n}`): Queue<T, R> {
  const q = new Queue<T, R>(redis, name, { prefix: `t${process.pid}`, ...opts })
  t.teardown(() => q.close())
  return q
}

export function deferred<V = void> (): { promise: Promise<V>, resolve: (v: V) => void } {
  let resolve!: (v: V) => void
  const promise = new Promise<V>(_resolve => { resolve = _resolve })
  return { promise, resolve }
}
