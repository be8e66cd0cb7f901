// The in-process line of callers waiting for one lock (lib/lock/local-queue.ts). Pins the bug
// "every hand-off cost O(waiters)": done() searched the whole line (indexOf) after each turn, and
// Array#shift copied it, so with 50,000 local waiters on one key each hand-off took ~80 µs instead
// of ~2 µs (issue 22, flat latency). The fix must keep the line's guarantees: first come, first
// served, and a caller that leaves early (timeout, abort) never gets a turn.
import { test } from 'tap'
import { LocalQueue } from '../../lib/lock/local-queue.js'

const WAITERS = 30_000

test('a long line is served first come, first served; callers who left early are skipped', async t => {
  const q = new LocalQueue()
  t.equal(q.enterNow('k'), true, 'the first caller heads the line')
  const aborts = new Map<number, AbortController>()
  const waits: Array<Promise<boolean>> = []
  for (let i = 0; i < WAITERS; i++) {
    let signal: AbortSignal | undefined
    if (i % 7 === 3) {
      const ac = new AbortController()
      aborts.set(i, ac)
      signal = ac.signal
    }
    // Every 11th gives up at once (its timer fires before any hand-off below).
    waits.push(q.wait('k', i % 11 === 5 ? 0 : 600_000, signal))
  }
  for (const ac of aborts.values()) ac.abort()
  const leftEarly = (i: number): boolean => i % 7 === 3 || i % 11 === 5
  // Wait for every early leaver to be out of the line before the first hand-off.
  const early = waits.filter((_, i) => leftEarly(i))
  const earlyResults = await Promise.all(early)
  t.equal(earlyResults.filter(entered => entered).length, 0, `each of the ${early.length} callers that timed out or aborted got false`)

  const served: number[] = []
  const stayed = waits.map((_, i) => i).filter(i => !leftEarly(i))
  // Each turn is recorded as it happens (a reaction registered before any hand-off runs first).
  const recorded = stayed.map(i => waits[i].then(entered => { if (entered) served.push(i) }))
  for (let n = 0; n < stayed.length; n++) {
    q.leave('k')
    await waits[stayed[n]]
  }
  await Promise.all(recorded)
  t.same(served, stayed, 'the callers who stayed got their turns in arrival order, each once')
  t.equal(q.enterNow('k'), false, 'the last one served still holds the line')
  q.leave('k')
  t.equal(q.enterNow('k'), true, 'after the last turn the line is gone')
  q.leave('k')
})

test('regression: a hand-off does not search the line (indexOf over every waiter)', async t => {
  const q = new LocalQueue()
  q.enterNow('k')
  const waits = Array.from({ length: 5000 }, () => q.wait('k', 600_000, undefined))
  const indexOf = Array.prototype.indexOf
  let searches = 0
  // Only around the synchronous hand-offs: leave() resolves the next turn before it returns.
  const spy = function (this: unknown[], ...args: Parameters<typeof indexOf>): number {
    searches++
    return indexOf.apply(this, args)
  }
  let entered = 0
  for (const w of waits) {
    // Swapped in for the synchronous leave() only, and always put back: the one way to count the
    // line's searches without timing anything.
    // eslint-disable-next-line no-extend-native
    Array.prototype.indexOf = spy
    try {
      q.leave('k')
    } finally {
      // eslint-disable-next-line no-extend-native
      Array.prototype.indexOf = indexOf
    }
    if (await w) entered++
  }
  t.equal(entered, waits.length, 'each caller entered in turn')
  t.equal(searches, 0, 'no line search in 5,000 hand-offs')
  q.leave('k')
})
