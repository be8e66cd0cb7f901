// Counting what a Redis server ran, from INFO commandstats. Only successful calls count: a script's
// first EVALSHA on a fresh server fails with NOSCRIPT (failed_calls) and is re-sent as EVAL, and
// tests that count round trips care about the work done, not that one-off miss.
type Admin = (...args: Array<string | number>) => Promise<unknown>

const IGNORED = new Set(['info', 'config', 'config|resetstat'])

/** Successful calls per command since the last CONFIG RESETSTAT, without the admin's own. */
export async function commandCounts (admin: Admin): Promise<Record<string, number>> {
  const info = String(await admin('INFO', 'commandstats'))
  const out: Record<string, number> = {}
  for (const line of info.split('\n')) {
    const m = /^cmdstat_([a-z|_-]+):calls=(\d+).*?(?:failed_calls=(\d+))?\s*$/.exec(line)
    if (m === null || IGNORED.has(m[1])) continue
    const ok = Number(m[2]) - Number(m[3] ?? 0)
    if (ok > 0) out[m[1]] = ok
  }
  return out
}

/** Successful script runs (EVAL + EVALSHA) so far. */
export async function scriptCalls (admin: Admin): Promise<number> {
  const counts = await commandCounts(admin)
  return (counts.eval ?? 0) + (counts.evalsha ?? 0)
}
