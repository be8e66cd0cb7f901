// A cheaper bound on Redis waits than one setTimeout per call (the hot path of a leaderboard runs
// tens of thousands of times a second). Every call of one board has the same timeout, so deadlines
// arrive in order: a FIFO queue scanned by one coarse, unref'd interval timer is enough. A call is
// rejected with FRP_REDIS_TIMEOUT between `ms` and `ms + ms / 8` (at least 5 ms) after it started.
import { FRP_REDIS_TIMEOUT, FRP_REDIS_UNAVAILABLE, isFrpError } from '../shared/errors.js'
import { clientCommandTimeout, type RedisClient } from '../shared/connection.js'

interface Pending {
  deadline: number
  done: boolean
  reject: (err: Error) => void
}

export type Bound = <T>(promise: Promise<T>) => Promise<T>

function translate (err: unknown, ms: number): Error {
  if (isFrpError(err)) return err
  if ((err as Error)?.message === 'Command timed out') return new FRP_REDIS_TIMEOUT(ms, { cause: err })
  return new FRP_REDIS_UNAVAILABLE((err as Error).message, { cause: err })
}

/**
 * Returns `bound(promise)`: settles like `promise`, rejects with FRP_REDIS_TIMEOUT after about
 * `ms`; any other Redis error becomes FRP_REDIS_UNAVAILABLE (coded errors pass through).
 */
export function deadlines (ms: number, redis?: RedisClient): Bound {
  // A standalone ioredis client with its own commandTimeout at or below ours already bounds every
  // command, queued offline ones included: only translate its errors.
  const own = redis === undefined ? undefined : clientCommandTimeout(redis)
  if (own !== undefined && own <= ms) {
    const onError = (err: unknown): never => { throw translate(err, own) }
    return <T>(promise: Promise<T>): Promise<T> => promise.then(undefined, onError)
  }
  let queue: Pending[] = []
  let head = 0
  let timer: NodeJS.Timeout | null = null
  const every = Math.max(5, Math.ceil(ms / 8))

  function sweep (): void {
    const now = performance.now()
    while (head < queue.length) {
      const p = queue[head]
      if (!p.done) {
        if (p.deadline > now) break
        p.done = true
        p.reject(new FRP_REDIS_TIMEOUT(ms))
      }
      head++
    }
    if (head === queue.length) {
      queue = []
      head = 0
      clearInterval(timer!)
      timer = null
    } else if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head)
      head = 0
    }
  }

  return function bound<T> (promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { deadline: performance.now() + ms, done: false, reject }
      queue.push(p)
      if (timer === null) {
        timer = setInterval(sweep, every)
        timer.unref()
      }
      promise.then(v => {
        if (p.done) return
        p.done = true
        resolve(v)
      }, err => {
        if (p.done) return
        p.done = true
        reject(translate(err, ms))
      })
    })
  }
}
