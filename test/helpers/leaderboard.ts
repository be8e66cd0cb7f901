// Shared set-up for the leaderboard tests: board names unique in this process.

let boards = 0
/** A board name unique in this process. */
export function boardName (what: string): string {
  return `${what}-${process.pid}-${++boards}`
}

// Kept for test files written against this module's Redis time helpers; new code imports them
// from ./redis-time.js.
export { redisMs, nextRedisMs } from './redis-time.js'
