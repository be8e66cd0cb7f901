// The lock pattern's public surface.
export { Locker, type LockerEvents } from './locker.js'
export type { HeldLock, HeldLocks } from './held.js'
export { Lease } from './lease.js'
export {
  normalizeLockerOptions, normalizeAcquireOptions,
  type LockerOptions, type AcquireOptions, type UsingOptions, type RetryOptions,
  type NormalizedLockerOptions, type NormalizedAcquireOptions
} from './options.js'
export type { Duration } from '../shared/options.js'
