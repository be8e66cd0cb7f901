// Event counts kept as plain numbers per label set and handed to prom-client only at scrape time:
// an event on a hot path (a rate-limit decision, a session load) costs a Map lookup and an
// increment, not prom-client's label hashing. Label values come from bounded sets only (outcomes,
// policy, board and queue names, route patterns), never from keys, members, users or job ids.
import type { Counter } from 'prom-client'

interface Row { labels: Record<string, string>, n: number, reported: number }

export class Tally {
  readonly #rows = new Map<string, Row>()

  /** Adds `by` to the row `id` (a string unique to the label set), creating it with `labels()`. */
  add (id: string, labels: () => Record<string, string>, by = 1): void {
    const row = this.#rows.get(id)
    if (row !== undefined) row.n += by
    else this.#rows.set(id, { labels: labels(), n: by, reported: 0 })
  }

  /** Moves what was added since the last scrape into `counter`. */
  flush (counter: Counter<string>): void {
    for (const row of this.#rows.values()) {
      const delta = row.n - row.reported
      if (delta > 0) {
        counter.inc(row.labels, delta)
        row.reported = row.n
      }
    }
  }
}

/**
 * Follows a running total read at scrape time (a core's stats counter, Redis' evicted_keys) into a
 * prom-client counter. A total that went down (a restarted Redis) counts from zero again.
 */
export class TotalFollower {
  readonly #last = new Map<string, number>()

  follow (counter: Counter<string>, id: string, labels: Record<string, string>, total: number): void {
    const last = this.#last.get(id) ?? 0
    const delta = total >= last ? total - last : total
    if (delta > 0) counter.inc(labels, delta)
    this.#last.set(id, total)
  }
}
