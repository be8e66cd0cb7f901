// Shared bits of the queue tests: a Queue per test on a fresh key prefix, closed at teardown.
import { Queue } from '../../lib/queue/queue.js'
import type { QueueOptions } from '../../lib/queue/options.js'
import type { RedisClient } from '../../lib/shared/connection.js'

let n = 0

// commandTimeout 10 s unless a test sets its own: the 1 s default is for production, and a loaded
// 2-core CI machine sometimes needs longer (tests of the timeout itself pass a short one).
export function makeQueue<T = unknown, R = unknown> (t: { teardown: (fn: () => unknown) => void }, redis: RedisClient, opts: QueueOptions = {}, name = `q${++n}`): Queue<T, R> {
  const q = new Queue<T, R>(redis, name, { prefix: `t${process.pid}`, commandTimeout: 10_000, ...opts })
  t.teardown(() => q.close())
  return q
}

// Kept for test files written against this module's old deferred(); new code imports it from
// ../helpers/deferred.js.
export { deferred } from '../helpers/deferred.js'
