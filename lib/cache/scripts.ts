// The cache's Lua scripts (one file each, beside this one) and the one place their replies are
// translated into types.
import { loadScripts } from '../shared/scripts.js'

export type ScriptName = 'read-or-lease' | 'store' | 'write' | 'invalidate' | 'get-or-init' | 'tag-invalidate' |
  'wb-write' | 'wb-claim' | 'wb-settle'

export const scripts = loadScripts<ScriptName>('cache', new URL('.', import.meta.url))

/** Reply codes of read-or-lease-3.lua. */
export const ENTRY = 1
export const LEASED = 2
export const BUSY = 3
export const PASS = 4
