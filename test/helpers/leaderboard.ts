// Shared set-up for the leaderboard tests: board names unique in this process.

let boards = 0
/** A board name unique in this process. */
export function boardName (what: string): string {
  return `${what}-${process.pid}-${++boards}`
}
