// JSON schemas of the leaderboard HTTP routes (plain objects: no Fastify import here). Every
// param, query and body is described, with responses, so @fastify/swagger documents the routes
// when present and fast-json-stringify serialises the replies.
export interface SchemaParams {
  /** Regular expression source that board names match. */
  boardPattern: string
  /** Longest member id, in characters (the core also checks UTF-8 bytes). */
  maxMemberLength: number
}

const error = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    error: { type: 'string' },
    message: { type: 'string' }
  }
} as const

const errors = { 400: error, 404: error, 503: error }

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

export function leaderboardSchemas ({ boardPattern, maxMemberLength }: SchemaParams) {
  const board = { type: 'string', pattern: boardPattern, minLength: 1, maxLength: 64, description: 'board name' }
  const member = { type: 'string', minLength: 1, maxLength: maxMemberLength, description: 'member id' }
  const boardParams = { type: 'object', required: ['board'], properties: { board }, additionalProperties: false }
  const memberParams = { type: 'object', required: ['board', 'member'], properties: { board, member }, additionalProperties: false }
  const head = { board: { type: 'string' }, period: { type: ['string', 'null'], description: 'current period id, null for non-periodic boards' } }
  const entries = { type: 'object', properties: { ...head, entries: { type: 'array', items: entry } } }
  const tags = ['leaderboard']
  return {
    submit: {
      tags,
      summary: 'Submit a score (applies the board\'s update policy: replace, best or increment)',
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
          properties: { ...head, member: { type: 'string' }, score: { type: 'number' }, changed: { type: 'boolean' } }
        },
        ...errors
      }
    },
    top: {
      tags,
      summary: 'The best members, by rank',
      params: boardParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: SAFE, description: 'entries to return; capped at the configured maxLimit' },
          offset: { type: 'integer', minimum: 0, maximum: SAFE, description: 'entries to skip' }
        }
      },
      response: { 200: entries, ...errors }
    },
    member: {
      tags,
      summary: 'Score, ranks and percentile of one member',
      params: memberParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { dense: { type: 'boolean', description: 'also compute the dense rank' } }
      },
      response: {
        200: {
          type: 'object',
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
        ...errors
      }
    },
    around: {
      tags,
      summary: 'The members ranked around one member',
      params: memberParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { radius: { type: 'integer', minimum: 0, maximum: SAFE, description: 'members on each side; capped at the configured maxRadius' } }
      },
      response: { 200: entries, ...errors }
    },
    remove: {
      tags,
      summary: 'Remove a member from the board',
      params: memberParams,
      response: {
        200: { type: 'object', properties: { ...head, member: { type: 'string' }, removed: { type: 'boolean' } } },
        ...errors
      }
    }
  }
}
