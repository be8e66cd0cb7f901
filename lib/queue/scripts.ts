// The queue's Lua scripts, loaded once. Every call of them is built and decoded in calls.ts.
import { loadScripts } from '../shared/scripts.js'

export type QueueScript = 'add' | 'take' | 'fail' | 'extend' | 'release' | 'progress' |
'pause' | 'retry' | 'remove' | 'clean' | 'drain' | 'sched-upsert' | 'sched-remove' | 'sched-list' | 'sched-due' | 'sched-tick' |
'promote' | 'page'

export const scripts = loadScripts<QueueScript>('queue', new URL('.', import.meta.url))
