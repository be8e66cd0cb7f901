// The activity bitmaps' Lua scripts.
import { loadScripts } from '../shared/scripts.js'

export type ActivityScript = 'union-count' | 'retention' | 'bits'

export const scripts = loadScripts<ActivityScript>('activity', new URL('.', import.meta.url))
