// Page cursors: the last entry of a page (member and stored score), as opaque base64url JSON.
import { FRP_LEADERBOARD_CURSOR } from '../shared/errors.js'

/** The opaque cursor of the page after the entry (member, stored score). */
export function encodeCursor (member: string, stored: string): string {
  return Buffer.from(JSON.stringify([member, stored])).toString('base64url')
}

/** The (member, stored score) of a cursor; FRP_LEADERBOARD_CURSOR when it is not one of ours. */
export function decodeCursor (cursor: unknown): [string, string] {
  try {
    if (typeof cursor !== 'string' || cursor.length > 4096) throw new Error('not a cursor string')
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && Number.isFinite(Number(v[1]))) {
      return [v[0], v[1]]
    }
    throw new Error('malformed')
  } catch (err) {
    throw new FRP_LEADERBOARD_CURSOR((err as Error).message)
  }
}
