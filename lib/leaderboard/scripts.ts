// The leaderboard's Lua scripts, loaded once for the boards and the player index.
import { loadScripts } from '../shared/scripts.js'

export type LeaderboardScript = 'submit' | 'submit-indexed' | 'submit-fenced' | 'best' | 'member' | 'dense' | 'around' | 'range' |
'page' | 'remove' | 'rollup-add' | 'by-score' | 'position' | 'index-add' | 'index-read' | 'index-drop' | 'index-prune' |
'erase-board'

export const scripts = loadScripts<LeaderboardScript>('leaderboard', new URL('.', import.meta.url))
