// The `durability` option (issue 19: a write resolves once replicas confirmed it with WAIT) as
// the soak asks for it. Cores of a version without it refuse the unknown option at construction:
// the soak then runs without it and says so, and the invariants that rest on it are reported as
// not applicable.

export interface SoakDurability {
  replicas: number
  timeout: number
}

/**
 * Builds a core with `{ durability }` among its options, or without it when this version of the
 * package does not know the option (FRP_INVALID_OPTION naming it).
 */
export function withDurability<T> (durability: SoakDurability, make: (extra: { durability?: SoakDurability }) => T): { core: T, durable: boolean } {
  try {
    return { core: make({ durability }), durable: true }
  } catch (err) {
    const e = err as { code?: string, message?: string }
    if (e.code !== 'FRP_INVALID_OPTION' || !/durability/.test(e.message ?? '')) throw err
    return { core: make({}), durable: false }
  }
}
