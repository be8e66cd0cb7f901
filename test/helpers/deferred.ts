// Promise scaffolding shared by the tests: a deferred (a promise plus its resolve, to hold a
// fetcher, handler or request open at a chosen moment) and a deadline on an awaited outcome.

export interface Deferred<V = void> {
  promise: Promise<V>
  resolve: (v: V) => void
}

export function deferred<V = void> (): Deferred<V> {
  let resolve!: (v: V) => void
  const promise = new Promise<V>(_resolve => { resolve = _resolve })
  return { promise, resolve }
}

/**
 * Settles like `promise`, or rejects once `ms` pass first, naming `what`. For "this happens long
 * before X" checks: pick `ms` far below X and far above what a loaded machine needs, so only the
 * behaviour under test (not the clock) decides the outcome.
 */
export async function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}
