// Dense rank ("1223"): 1 + the distinct user scores better than the member's. Redis keeps no count
// of distinct scores, so it is walked (_dense.lua). The walk is cut into script calls of bounded
// work, because one call that walks denseRankLimit (10,000) distinct scores held Redis for ~28 ms
// on a 1M-member board (issue 22), stalling every other client: member-2.lua walks the first slice
// with the member's other figures, dense-1.lua each further one from where the last stopped.

/**
 * Work budget of one script call of the walk, in _dense.lua's units (about 0.5 µs of Redis time
 * each: ~1-2 ms a call; ~1,500 distinct scores when every member's score differs, ~250 when they
 * come in long runs of equal scores). Internal: tests lower it to cross many calls on small boards.
 */
export const denseWalk = { work: 1500 }

/** Continues the walk: (lowest stored value of the last bucket counted, scores still wanted) -> [counted, resume]. */
export type DenseStep = (from: string, want: number) => Promise<[number, string | null]>

/**
 * The distinct better scores after a first slice counted `found` and stopped at `resume` (null:
 * final), counting no more than `want` in all (min(better members, denseRankLimit + 1)).
 */
export async function finishDenseWalk (found: number, resume: string | null, want: number, step: DenseStep): Promise<number> {
  while (resume !== null && found < want) {
    const [n, next] = await step(resume, want - found)
    found += n
    resume = next
  }
  return found
}
