// JSON schemas of the leaderboard HTTP routes (plain objects: no Fastify import here). Every
// param, query and body is described, with every status a route can send, so @fastify/swagger
// documents the routes as OpenAPI 3.0 when present and fast-json-stringify serialises the replies
// (a field missing from a success schema is dropped from the reply).
import type { RouteHooks } from '../shared/route-hooks.js'
import { authCases, errorResponses, REDIS_DOWN, UNSUPPORTED_MEDIA, type ErrorCases } from '../shared/route-responses.js'

export interface SchemaParams {
  /** Regular expression source that board names match. */
  boardPattern: string
  /** Longest member id, in characters (the core also checks UTF-8 bytes). */
  maxMemberLength: number
  /** The write routes' hooks: 401/403 are documented on those routes only when there are some. */
  writeHooks: RouteHooks
}

const INVALID = 'Invalid params or query (schema validation: the message names the field)'
const NO_BOARD = 'Unknown board (FRP_LEADERBOARD_NOT_FOUND; boards not configured are served only with `routes.autoCreate`)'
const NO_MEMBER = 'Unknown board or member (FRP_LEADERBOARD_NOT_FOUND, FRP_LEADERBOARD_MEMBER_NOT_FOUND)'

// Every number has both bounds: Ajv coerces '1e300' and '2^63' to integers Redis refuses; bounded
// at 2^53 - 1 they are a 400 naming the field. Limits and radii above the configured caps but
// within the bound are still capped, as documented. Ajv's coercion also turns 'Infinity' and
// '1e309' into Infinity and then skips minimum/maximum for non-finite numbers (its bounds only
// test finite ones), so the handlers check those again (plugins/leaderboard.ts, the core).
const SAFE = Number.MAX_SAFE_INTEGER

const entry = {
  type: 'object',
  properties: {
    member: { type: 'string' },
    score: { type: 'number' },
    rank: { type: 'integer', description: '1-based position on the board' },
    meta: { description: 'member metadata, null when none' }
  }
} as const

export function leaderboardSchemas ({ boardPattern, maxMemberLength, writeHooks }: SchemaParams) {
  const board = { type: 'string', pattern: boardPattern, minLength: 1, maxLength: 64, description: 'board name' }
  const member = { type: 'string', minLength: 1, maxLength: maxMemberLength, description: 'member id' }
  const boardParams = { type: 'object', required: ['board'], properties: { board }, additionalProperties: false }
  const playerParams = { type: 'object', required: ['member'], properties: { member }, additionalProperties: false }
  const memberParams = { type: 'object', required: ['board', 'member'], properties: { board, member }, additionalProperties: false }
  const head = { board: { type: 'string' }, period: { type: 'string', nullable: true, description: 'current period id, null for non-periodic boards' } }
  const entries = { type: 'object', properties: { ...head, entries: { type: 'array', items: entry } } }
  const tags = ['leaderboard']
  const reads = (cases: ErrorCases) => errorResponses({ 400: INVALID, 503: REDIS_DOWN, ...cases })
  const writes = (cases: ErrorCases) => errorResponses({ ...authCases(writeHooks), 503: REDIS_DOWN, ...cases })
  return {
    submit: {
      tags,
      summary: 'Submit a score',
      description: 'Records a member\'s score under the board\'s update policy (replace, best or increment), with optional metadata. ' +
        'The score must be a JSON number inside the board\'s range; nothing is written otherwise.',
      params: boardParams,
      body: {
        type: 'object',
        required: ['member', 'score'],
        additionalProperties: false,
        properties: {
          member,
          score: { type: 'number', minimum: -SAFE, maximum: SAFE, description: 'a JSON number inside the board\'s score range' },
          meta: { description: 'optional member metadata (e.g. { "name": "Ada" }), stored with the member' }
        }
      },
      response: {
        200: {
          type: 'object',
          description: 'The member\'s score after the submission',
          properties: { ...head, member: { type: 'string' }, score: { type: 'number' }, changed: { type: 'boolean', description: 'false when the update policy kept the previous score' } }
        },
        ...writes({
          400: 'Invalid body: a score that is not a JSON number or is outside the board\'s range, an empty or over-long member, invalid metadata ' +
            '(FST_ERR_VALIDATION, FRP_LEADERBOARD_SCORE_RANGE, FRP_LEADERBOARD_MEMBER, FRP_LEADERBOARD_METADATA)',
          404: NO_BOARD,
          413: 'The body is above Fastify\'s `bodyLimit` (FST_ERR_CTP_BODY_TOO_LARGE)',
          415: UNSUPPORTED_MEDIA
        })
      }
    },
    top: {
      tags,
      summary: 'The best members, by rank',
      description: 'A page of the board from the top: `limit` entries (capped at `routes.maxLimit`) after `offset`.',
      params: boardParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: SAFE, description: 'entries to return; capped at the configured maxLimit' },
          offset: { type: 'integer', minimum: 0, maximum: SAFE, description: 'entries to skip' }
        }
      },
      response: { 200: { ...entries, description: 'The page of entries' }, ...reads({ 404: NO_BOARD }) }
    },
    member: {
      tags,
      summary: 'Score, ranks and percentile of one member',
      description: 'The member\'s score, ordinal and competition ranks (and dense rank with `?dense=true`), percentile and metadata.',
      params: memberParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { dense: { type: 'boolean', description: 'also compute the dense rank' } }
      },
      response: {
        200: {
          type: 'object',
          description: 'The member\'s standing',
          properties: {
            ...head,
            member: { type: 'string' },
            score: { type: 'number' },
            rank: { type: 'integer' },
            competitionRank: { type: 'integer' },
            denseRank: { type: 'integer' },
            percentile: { type: 'number' },
            count: { type: 'integer' },
            reachedAt: { type: 'number', description: 'with tie-breaking: when the score was reached (ms)' },
            meta: {}
          }
        },
        ...reads({ 404: NO_MEMBER, 422: 'The dense rank would walk more distinct scores than `denseRankLimit` (FRP_LEADERBOARD_DENSE_LIMIT)' })
      }
    },
    around: {
      tags,
      summary: 'The members ranked around one member',
      description: 'The member and up to `radius` members on each side (capped at `routes.maxRadius`), by rank.',
      params: memberParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { radius: { type: 'integer', minimum: 0, maximum: SAFE, description: 'members on each side; capped at the configured maxRadius' } }
      },
      response: { 200: { ...entries, description: 'The entries around the member' }, ...reads({ 404: NO_MEMBER }) }
    },
    byScore: {
      tags,
      summary: 'The members whose score lies in a range',
      description: 'The members with a score between `min` and `max` (inclusive; either may be left out for an open end), best first, ' +
        'each with its rank on the whole board: `limit` entries (capped at `routes.maxLimit`) after `offset`.',
      params: boardParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          min: { type: 'number', minimum: -SAFE, maximum: SAFE, description: 'lowest score, inclusive (default: no lower bound)' },
          max: { type: 'number', minimum: -SAFE, maximum: SAFE, description: 'highest score, inclusive, not below min (default: no upper bound)' },
          limit: { type: 'integer', minimum: 1, maximum: SAFE, description: 'entries to return; capped at the configured maxLimit' },
          offset: { type: 'integer', minimum: 0, maximum: SAFE, description: 'entries of the range to skip' }
        }
      },
      response: {
        200: { ...entries, description: 'The entries in the range' },
        ...reads({ 400: INVALID + '; `max` below `min` (FRP_LEADERBOARD_ARGUMENT naming it)', 404: NO_BOARD })
      }
    },
    player: {
      tags,
      summary: 'A member on every board',
      description: 'The member\'s score and rank on every board and period it is on (boards kept with `playerIndex: true`), ' +
        'sorted by board, newest period first; an empty list for an unknown member.',
      params: playerParams,
      response: {
        200: {
          type: 'object',
          description: 'The member\'s standings',
          properties: {
            member: { type: 'string' },
            standings: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  board: { type: 'string' },
                  period: { type: 'string', nullable: true, description: 'period id, null for non-periodic boards' },
                  current: { type: 'boolean', description: 'false for a retained past period' },
                  score: { type: 'number' },
                  rank: { type: 'integer' }
                }
              }
            }
          }
        },
        ...reads({})
      }
    },
    erase: {
      tags,
      summary: 'Erase a member from every board',
      description: 'Removes the member from every board, period and roll-up its player index lists, with its metadata, then the index ' +
        '(the right to be forgotten). Boards without `playerIndex` are not reached.',
      params: playerParams,
      response: {
        200: {
          type: 'object',
          description: 'The member was erased (removed: the sorted sets it was on, 0 when none)',
          properties: { member: { type: 'string' }, removed: { type: 'integer' } }
        },
        ...writes({ 400: INVALID })
      }
    },
    remove: {
      tags,
      summary: 'Remove a member from the board',
      description: 'Removes the member and its score from the board (from the current period of a periodic board).',
      params: memberParams,
      response: {
        200: { type: 'object', description: 'The member was removed', properties: { ...head, member: { type: 'string' }, removed: { type: 'boolean' } } },
        ...writes({ 400: INVALID, 404: NO_MEMBER })
      }
    }
  }
}
