// The queue's Lua scripts and the one place their small error codes become coded errors.
import { loadScripts } from '../shared/scripts.js'
import { FRP_JOB_ACTIVE, FRP_JOB_NOT_FOUND, FRP_JOB_STATE } from '../shared/errors.js'

export type QueueScript = 'add' | 'take' | 'fail' | 'extend' | 'release' | 'progress' |
'pause' | 'retry' | 'remove' | 'clean' | 'drain'

export const scripts = loadScripts<QueueScript>('queue', new URL('.', import.meta.url))

/** Take result codes (take-9.lua). */
export const TAKE_OK = 0
export const TAKE_PAUSED = 1
export const TAKE_RATE_LIMITED = 2
export const TAKE_CONCURRENCY = 3

/** Translates the negative returns of retry/remove into coded errors. */
export function checkReturn (code: number, id: string, state?: string): void {
  if (code === -1) throw new FRP_JOB_NOT_FOUND(id)
  if (code === -2) throw state === undefined ? new FRP_JOB_ACTIVE(id) : new FRP_JOB_STATE(id, state)
}
