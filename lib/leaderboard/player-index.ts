// The player index: for each member, one hash (under the member's own hash tag) listing every
// board key the member was written to, so one call shows the member's standing on every board and
// period (`PlayerIndex.view`) or erases the member everywhere (`PlayerIndex.erase`). Boards keep it
// with the option `playerIndex: true`, in the same write that changes the board:
//
// - standalone Redis: one script writes the board and the index (submit-indexed-n.lua): atomic.
// - Redis Cluster: the board (its name's tag) and the index (the member's tag) live in different
//   slots, so a write takes two steps: the index entry first (index-add-1.lua), then the board
//   (submit-fenced-3.lua). The index therefore always lists at least every board the member is on;
//   an entry whose board write failed is skipped by view() (the member is not on that board) and
//   removed by the next erase. An erase reads the index at a generation G, removes the member from
//   every board listed and raises each board's erase fence to G, then drops the entries it read.
//   A write indexed before G that reaches its board after the erase is refused by the fence
//   (FRP_LEADERBOARD_ERASED); a write indexed after G keeps its entry. So at every moment, every
//   board the member is on is listed in the index — the invariant erase() depends on.
import type { Redis } from 'ioredis'
import { isCluster, type RedisClient } from '../shared/connection.js'
import { callPolicy, type Bound } from '../shared/call-policy.js'
import { keySpace, type KeySpace } from '../shared/keys.js'
import { FRP_LEADERBOARD_ERASED } from '../shared/errors.js'
import { optDuration, optInt, optString, rejectUnknown, type Duration } from '../shared/options.js'
import { checkMember } from './input.js'
import { decodeScore } from './output.js'
import { scripts } from './scripts.js'
import type { NormalizedLeaderboardOptions, Order } from './options.js'

/** What an index entry says about its board: enough to decode scores without the board's options. */
interface EntryJson { b: string, p: string | null, e: number, o: Order, M: number, lo: number, m: string }

/** A member's standing on one board (one period of a periodic board). */
export interface PlayerStanding {
  board: string
  /** The period id (`2026-W48`), or null on a non-periodic board. */
  period: string | null
  /** False for a retained past period (a period view's or last week's board). */
  current: boolean
  score: number
  /** 1-based ordinal rank. */
  rank: number
}

export interface PlayerIndexOptions {
  /** Key prefix of the boards (default 'frp'). */
  prefix?: string
  /** Bound on every Redis wait, ms or a duration string (default 1000). */
  commandTimeout?: Duration
  /** Longest member id, in UTF-8 bytes (default 256, as the boards). */
  maxMemberLength?: number
  /** How long an erase's fence refuses writes indexed before it (Cluster; default 10 minutes). */
  fenceTtl?: Duration
}

/** Where a board keeps its part of the index protocol: shared by the boards and PlayerIndex. */
export function indexKeys (prefix: string): { players: KeySpace, boards: KeySpace } {
  return { players: keySpace(prefix, 'leaderboard-player'), boards: keySpace(prefix, 'leaderboard') }
}

/** The board-side writer: submits through the index protocol of the client's topology. */
export interface IndexWriter {
  /**
   * Runs submit-2.lua's write with `common` (its ARGV[1..11]) and `triples`, keeping the index of
   * every member written. Returns submit-2.lua's reply.
   */
  submit (boardKey: string, metaKey: string, common: ReadonlyArray<string | number>, triples: ReadonlyArray<string | number>,
    where: { period: string | null, end: number, expireAt: number }): Promise<Array<string | number>>
  /** The set of the board's roll-up names, which erase() clears too. */
  readonly rollupsKey: string
}

export function indexWriter (redis: RedisClient, cfg: NormalizedLeaderboardOptions, name: string, metaKey: string): IndexWriter {
  const { players, boards } = indexKeys(cfg.prefix)
  const fence = boards.key(name, 'erased')
  const cluster = isCluster(redis)
  const entryOf = (period: string | null, end: number): string =>
    JSON.stringify({ b: name, p: period, e: end === Infinity ? 0 : end, o: cfg.order, M: cfg.M, lo: cfg.minScore, m: metaKey } satisfies EntryJson)
  return {
    rollupsKey: boards.key(name, 'rollups'),
    async submit (boardKey, metaKey, common, triples, where) {
      const entry = entryOf(where.period, where.end)
      const expireAt = where.expireAt === Infinity ? 0 : where.expireAt
      const members: string[] = []
      for (let i = 0; i < triples.length; i += 3) members.push(triples[i] as string)
      if (!cluster) {
        return await scripts.run(redis, 'submit-indexed', [boardKey, metaKey, ...members.map(m => players.key(m))],
          [...common, entry, expireAt, ...triples])
      }
      const gens = await Promise.all(members.map(m => scripts.run<number>(redis, 'index-add', [players.key(m)], [boardKey, entry, expireAt])))
      const reply = await scripts.run<Array<string | number>>(redis, 'submit-fenced', [boardKey, metaKey, fence],
        [...common, members.length, ...gens, ...triples])
      if (reply[0] === -2) throw new FRP_LEADERBOARD_ERASED(members[Number(reply[1]) - 1])
      return reply
    }
  }
}

/** Reads and erases members across every board that keeps the index (`playerIndex: true`). */
export class PlayerIndex {
  readonly #redis: RedisClient
  readonly #r: Redis
  readonly #ks: { players: KeySpace, boards: KeySpace }
  readonly #bound: Bound
  readonly #coded: (err: unknown) => Error
  readonly #maxMemberLength: number
  readonly #fenceTtl: number

  constructor (redis: RedisClient, options: PlayerIndexOptions = {}) {
    rejectUnknown('playerIndex', options, ['prefix', 'commandTimeout', 'maxMemberLength', 'fenceTtl'])
    this.#redis = redis
    this.#r = redis as Redis
    this.#ks = indexKeys(optString('playerIndex.prefix', options.prefix, 'frp'))
    const policy = callPolicy(redis, optDuration('playerIndex.commandTimeout', options.commandTimeout, 1000, 1))
    this.#bound = policy.bound
    this.#coded = policy.coded
    this.#maxMemberLength = optInt('playerIndex.maxMemberLength', options.maxMemberLength, 256, 1, 64 * 1024)
    this.#fenceTtl = optDuration('playerIndex.fenceTtl', options.fenceTtl, 600_000, 1000)
  }

  async #call<T> (p: Promise<T>): Promise<T> {
    try {
      return await this.#bound(p)
    } catch (err) {
      throw this.#coded(err)
    }
  }

  #member (member: string): string {
    return checkMember(member, { maxMemberLength: this.#maxMemberLength } as NormalizedLeaderboardOptions)
  }

  /**
   * The member's score and rank on every board and period it is on (boards with `playerIndex`),
   * sorted by board name, then newest period first. Entries of expired periods are pruned.
   */
  async view (member: string): Promise<PlayerStanding[]> {
    const m = this.#member(member)
    const idx = this.#ks.players.key(m)
    const all = await this.#call(this.#r.hgetall(idx))
    const now = Date.now()
    let expired = false
    const reads: Array<Promise<PlayerStanding | null>> = []
    for (const [field, value] of Object.entries(all)) {
      if (field.startsWith('#')) continue
      const [, x, json] = splitValue(value)
      if (x > 0 && x <= now) { expired = true; continue }
      const e = JSON.parse(json) as EntryJson
      reads.push(scripts.run<[string, number] | null>(this.#redis, 'position', [field], [m, e.o]).then(r => r === null
        ? null
        : { board: e.b, period: e.p, current: e.e === 0 || e.e > now, score: decodeScore({ M: e.M, minScore: e.lo } as NormalizedLeaderboardOptions, r[0]), rank: r[1] + 1 }))
    }
    const standings = (await this.#call(Promise.all(reads))).filter(s => s !== null)
    if (expired) await this.#call(scripts.run(this.#redis, 'index-prune', [idx], []))
    return standings.sort((a, b) => a.board < b.board ? -1 : a.board > b.board ? 1 : (b.period ?? '').localeCompare(a.period ?? ''))
  }

  /**
   * Erases the member from every board and period the index lists (roll-ups of those boards
   * included), with its metadata, then the index itself: the right to be forgotten. Returns the
   * number of sorted sets the member was removed from. Boards without `playerIndex` are not seen.
   */
  async erase (member: string): Promise<{ removed: number }> {
    const m = this.#member(member)
    const idx = this.#ks.players.key(m)
    const [gen, flat] = await this.#call(scripts.run<[number, string[]]>(this.#redis, 'index-read', [idx], []))
    if (gen === 0) return { removed: 0 }
    const byBoard = new Map<string, { meta: string, keys: string[] }>()
    for (let i = 0; i < flat.length; i += 2) {
      if (flat[i].startsWith('#')) continue
      const e = JSON.parse(splitValue(flat[i + 1])[2]) as EntryJson
      const b = byBoard.get(e.b) ?? { meta: e.m, keys: [] }
      b.keys.push(flat[i])
      byBoard.set(e.b, b)
    }
    // The fence matters only where writes take two steps (Cluster); standalone writes are atomic
    // with their index entry, so no member id is left behind in a fence there.
    const fenceGen = isCluster(this.#redis) ? gen : 0
    const counts = await this.#call(Promise.all([...byBoard].map(async ([name, b]) => {
      const rollups = await this.#r.smembers(this.#ks.boards.key(name, 'rollups'))
      const keys = [...b.keys, ...rollups.map(r => this.#ks.boards.key(name, 'r', r))]
      return await scripts.run<number>(this.#redis, 'erase-board', [this.#ks.boards.key(name, 'erased'), b.meta, ...keys], [m, fenceGen, this.#fenceTtl])
    })))
    await this.#call(scripts.run(this.#redis, 'index-drop', [idx], [gen]))
    return { removed: counts.reduce((a, b) => a + b, 0) }
  }
}

/** An index value 'gen|expireAt|entry' as [gen, expireAt, entry JSON]. */
function splitValue (value: string): [number, number, string] {
  const a = value.indexOf('|')
  const b = value.indexOf('|', a + 1)
  return [Number(value.slice(0, a)), Number(value.slice(a + 1, b)), value.slice(b + 1)]
}
