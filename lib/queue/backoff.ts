// Retry delays. Jitter spreads retries of jobs that failed together (a dependency outage) so they
// do not come back as one burst: with jitter j the delay is uniform in [d * (1 - j), d].
export interface Backoff {
  type: 'fixed' | 'exponential'
  /** Base delay in ms. */
  delay: number
  /** 0..1: fraction of the delay that is randomised (default 0). */
  jitter?: number
}

/** Upper bound of any computed delay (one day): exponential growth must not overflow timers. */
const MAX_DELAY = 86_400_000

/** Delay before attempt `attemptsMade + 1`, given `attemptsMade` (>= 1) finished attempts. */
export function backoffDelay (backoff: Backoff | null, attemptsMade: number, random = Math.random): number {
  if (backoff === null) return 0
  let d = backoff.type === 'exponential' ? backoff.delay * 2 ** (attemptsMade - 1) : backoff.delay
  if (d > MAX_DELAY) d = MAX_DELAY
  const j = backoff.jitter ?? 0
  if (j > 0) d = d * (1 - j * random())
  return Math.round(d)
}
