// Fastify adapter of lib/leaderboard: the `fastify.leaderboard(name)` decorator and optional,
// schema-validated HTTP routes. Every Redis call goes through the core, which bounds it in time.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Leaderboard, type RankStyle } from '../lib/leaderboard/leaderboard.js'
import { PlayerIndex } from '../lib/leaderboard/player-index.js'
import { normalizeLeaderboardOptions, type LeaderboardOptions } from '../lib/leaderboard/options.js'
import { checkInt, checkMember, checkScore } from '../lib/leaderboard/input.js'
import { FRP_LEADERBOARD_MEMBER_NOT_FOUND, FRP_LEADERBOARD_NOT_FOUND, FRP_LEADERBOARD_ARGUMENT } from '../lib/shared/errors.js'
import { invalid, optBool, optInt, optString, rejectUnknown } from '../lib/shared/options.js'
import { resolveClient } from './shared/redis-client.js'
import { checkAtStartup } from './shared/startup.js'
import { outageLog } from './shared/outage-log.js'
import { announceCore } from './shared/cores.js'
import { routeHooks, type RouteHookOptions } from './shared/route-hooks.js'
import type { RedisClient } from '../lib/shared/connection.js'
import { leaderboardSchemas } from './leaderboard/route-schemas.js'

/**
 * `onRequest` / `preHandler` run on the write routes (POST scores, DELETE member); reads are
 * public. Put authentication in `onRequest`, so an unauthorised client is refused before its body
 * is parsed or validated.
 */
export interface LeaderboardRoutesOptions extends RouteHookOptions {
  /** URL prefix of the routes (default '/leaderboards'). */
  prefix?: string
  /** Serve boards that were not configured in `boards`, created with `defaults` (default false). */
  autoCreate?: boolean
  /** Largest `limit` served; larger values are capped (default 100). */
  maxLimit?: number
  /** `limit` when the query has none (default 10). */
  defaultLimit?: number
  /** Largest `radius` served; larger values are capped (default 25). */
  maxRadius?: number
  /** `radius` when the query has none (default 5). */
  defaultRadius?: number
}

export interface RedisLeaderboardOptions {
  /** An ioredis Redis or Cluster to use instead of `fastify.redis`. */
  client?: RedisClient
  /** The @fastify/redis namespace to take the client from. */
  namespace?: string
  /** Options of every board (each board's own options are applied over them). */
  defaults?: LeaderboardOptions
  /** Boards known at registration, by name. */
  boards?: Record<string, LeaderboardOptions>
  /** Mount the HTTP routes (default: no routes). `true` mounts them with default options. */
  routes?: boolean | LeaderboardRoutesOptions
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The board `name`: configured at registration, or created with the plugin's defaults. */
    leaderboard: (name: string) => Leaderboard
    /** The player view and erase across every board with `playerIndex: true` (prefix and commandTimeout of `defaults`). */
    leaderboardPlayers: PlayerIndex
  }
}

const BOARD_NAME = /^[A-Za-z0-9_.:-]{1,64}$/
const MAX_ADHOC_BOARDS = 1000
/** The path segment of the player routes (`/leaderboards/players/:member`): not a board name while routes are mounted. */
const PLAYERS = 'players'

async function redisLeaderboardPlugin (fastify: FastifyInstance, opts: RedisLeaderboardOptions): Promise<void> {
  rejectUnknown('redisLeaderboard', opts, ['client', 'namespace', 'defaults', 'boards', 'routes'])
  const redis = resolveClient(fastify, 'redisLeaderboard', opts)
  const defaults = opts.defaults ?? {}
  normalizeLeaderboardOptions(defaults, 'redisLeaderboard.defaults')
  const whileDown = 'calls fail with 503 FRP_REDIS_UNAVAILABLE or FRP_REDIS_TIMEOUT'
  // Every board's failed calls are counted (the app's own too); route requests log their own line.
  const outage = outageLog(fastify, { pattern: 'leaderboard', whileDown, clients: [redis] })
  const reported = (board: Leaderboard): Leaderboard => board.on('error', err => { outage.failed(err) })

  const boards = new Map<string, Leaderboard>()
  if (opts.boards !== undefined) {
    if (typeof opts.boards !== 'object' || opts.boards === null) throw invalid('redisLeaderboard.boards', 'must be an object')
    for (const [name, o] of Object.entries(opts.boards)) {
      if (!BOARD_NAME.test(name)) throw invalid(`redisLeaderboard.boards.${name}`, `board names must match ${BOARD_NAME}`)
      normalizeLeaderboardOptions(o, `redisLeaderboard.boards.${name}`)
      const board = reported(new Leaderboard(redis, name, { ...defaults, ...o }))
      boards.set(name, board)
      announceCore(fastify, 'leaderboard', { board, configured: true })
    }
  }
  const configured = new Set(boards.keys())

  function leaderboard (name: string): Leaderboard {
    const known = boards.get(name)
    if (known !== undefined) return known
    if (typeof name !== 'string' || !BOARD_NAME.test(name)) throw new FRP_LEADERBOARD_ARGUMENT('name', `board names must match ${BOARD_NAME}`)
    const board = reported(new Leaderboard(redis, name, defaults))
    // Boards made on the fly are cached up to a bound, so names from requests cannot grow memory.
    if (boards.size < configured.size + MAX_ADHOC_BOARDS) {
      boards.set(name, board)
      announceCore(fastify, 'leaderboard', { board, configured: false })
    }
    return board
  }

  await checkAtStartup(fastify, [redis], { pattern: 'leaderboard', namespace: opts.namespace, needsNoEviction: true, whileDown })
  fastify.decorate('leaderboard', leaderboard)
  const base = normalizeLeaderboardOptions(defaults)
  const players = new PlayerIndex(redis, { prefix: base.prefix, commandTimeout: base.commandTimeout, maxMemberLength: base.maxMemberLength })
  fastify.decorate('leaderboardPlayers', players)

  if (opts.routes === undefined || opts.routes === false) return
  const r = opts.routes === true ? {} : opts.routes
  rejectUnknown('redisLeaderboard.routes', r, ['prefix', 'onRequest', 'preHandler', 'autoCreate', 'maxLimit', 'defaultLimit', 'maxRadius', 'defaultRadius'])
  const prefix = optString('redisLeaderboard.routes.prefix', r.prefix, '/leaderboards')
  const autoCreate = optBool('redisLeaderboard.routes.autoCreate', r.autoCreate, false)
  const maxLimit = optInt('redisLeaderboard.routes.maxLimit', r.maxLimit, 100, 1, 100_000)
  const defaultLimit = optInt('redisLeaderboard.routes.defaultLimit', r.defaultLimit, Math.min(10, maxLimit), 1, maxLimit)
  const maxRadius = optInt('redisLeaderboard.routes.maxRadius', r.maxRadius, 25, 0, 10_000)
  const defaultRadius = optInt('redisLeaderboard.routes.defaultRadius', r.defaultRadius, Math.min(5, maxRadius), 0, maxRadius)
  if (configured.has(PLAYERS)) throw invalid(`redisLeaderboard.boards.${PLAYERS}`, `"${PLAYERS}" is the path of the player routes`)
  const writeHooks = routeHooks('redisLeaderboard.routes', r)
  const schemas = leaderboardSchemas({ boardPattern: BOARD_NAME.source, maxMemberLength: normalizeLeaderboardOptions(defaults).maxMemberLength, writeHooks })

  // Checked before capping: Ajv's coercion turns '?limit=Infinity' (or 1e309) into Infinity and
  // then skips minimum/maximum for non-finite numbers, so the schema alone lets it through, and
  // Math.min would quietly serve it as the cap.
  const capped = (name: string, value: number | undefined, def: number, min: number, cap: number): number =>
    value === undefined ? def : Math.min(checkInt(name, value, min), cap)

  // An open end is a left-out parameter: Ajv's coercion would let '?min=Infinity' past the schema's bounds.
  const bound = (name: string, value: number | undefined, open: number): number => {
    if (value === undefined) return open
    if (!Number.isFinite(value)) throw new FRP_LEADERBOARD_ARGUMENT(name, 'must be a finite number (leave it out for an open end)')
    return value
  }

  type Params = { board: string, member?: string }
  const boardOf = (request: FastifyRequest): Leaderboard => {
    const name = (request.params as Params).board
    if ((!autoCreate && !configured.has(name)) || name === PLAYERS) throw new FRP_LEADERBOARD_NOT_FOUND(name)
    return leaderboard(name)
  }

  await fastify.register(async (app) => {
    app.post('/:board/scores', {
      schema: schemas.submit,
      // Runs before schema validation, whose type coercion would turn "12" into 12: a score must
      // arrive as a JSON number, a member as a JSON string.
      preValidation: async (request) => {
        const board = boardOf(request)
        const body = request.body as { member?: unknown, score?: unknown } | null
        if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
          checkMember(body.member, board.config)
          checkScore(body.score, board.config)
        }
      },
      ...writeHooks
    }, outage.route(async (request) => {
      const { member, score, meta } = request.body as { member: string, score: number, meta?: unknown }
      const board = boardOf(request)
      const result = await board.submit(member, score, { meta })
      return { board: board.name, period: board.periodId, ...result }
    }, true))

    app.get('/:board/top', { schema: schemas.top }, outage.route(async (request) => {
      const q = request.query as { limit?: number, offset?: number }
      const board = boardOf(request)
      const entries = await board.top(capped('limit', q.limit, defaultLimit, 1, maxLimit), q.offset ?? 0, { meta: true })
      return { board: board.name, period: board.periodId, entries }
    }, true))

    app.get('/:board/by-score', { schema: schemas.byScore }, outage.route(async (request) => {
      const q = request.query as { min?: number, max?: number, limit?: number, offset?: number }
      const board = boardOf(request)
      const entries = await board.rangeByScore(bound('min', q.min, -Infinity), bound('max', q.max, Infinity), { limit: capped('limit', q.limit, defaultLimit, 1, maxLimit), offset: q.offset ?? 0, meta: true })
      return { board: board.name, period: board.periodId, entries }
    }, true))

    app.get(`/${PLAYERS}/:member`, { schema: schemas.player }, outage.route(async (request) => {
      const { member } = request.params as { member: string }
      return { member, standings: await players.view(member) }
    }, true))

    app.delete(`/${PLAYERS}/:member`, { schema: schemas.erase, ...writeHooks }, outage.route(async (request) => {
      const { member } = request.params as { member: string }
      return { member, ...await players.erase(member) }
    }, true))

    app.get('/:board/members/:member', { schema: schemas.member }, outage.route(async (request) => {
      const { member } = request.params as Required<Params>
      const dense = (request.query as { dense?: boolean }).dense === true
      const board = boardOf(request)
      const info = await board.info(member, { meta: true, dense })
      if (info === null) throw new FRP_LEADERBOARD_MEMBER_NOT_FOUND(member, board.name)
      return { board: board.name, period: board.periodId, ...info }
    }, true))

    app.get('/:board/members/:member/around', { schema: schemas.around }, outage.route(async (request) => {
      const { member } = request.params as Required<Params>
      const q = request.query as { radius?: number }
      const board = boardOf(request)
      const entries = await board.around(member, capped('radius', q.radius, defaultRadius, 0, maxRadius), { meta: true })
      if (entries === null) throw new FRP_LEADERBOARD_MEMBER_NOT_FOUND(member, board.name)
      return { board: board.name, period: board.periodId, entries }
    }, true))

    app.delete('/:board/members/:member', { schema: schemas.remove, ...writeHooks }, outage.route(async (request) => {
      const { member } = request.params as Required<Params>
      const board = boardOf(request)
      if (!await board.remove(member)) throw new FRP_LEADERBOARD_MEMBER_NOT_FOUND(member, board.name)
      return { board: board.name, period: board.periodId, member, removed: true }
    }, true))
  }, { prefix })
}

export type { RankStyle }
export const redisLeaderboard = fp(redisLeaderboardPlugin, {
  name: 'fastify-redis-patterns-leaderboard',
  fastify: '5.x'
})
export default redisLeaderboard
