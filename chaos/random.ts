// Seeded randomness for the chaos soak: the same seed gives the same fault schedule and the same
// workload choices, so a broken run can be replayed (`npm run chaos -- --seed N`). Timing still
// differs from run to run; the seed pins every decision the soak makes itself.

export interface Random {
  /** A float in [0, 1). */
  next (): number
  /** An integer in [min, max]. */
  int (min: number, max: number): number
  pick<T> (items: readonly T[]): T
}

/** mulberry32: tiny, fast, and good enough to choose faults and keys. */
export function seeded (seed: number): Random {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: items => items[Math.floor(next() * items.length)]
  }
}

/** A new seed when none is given (printed, so the run can be replayed). */
export function newSeed (): number {
  return Math.floor(Math.random() * 2 ** 31)
}
