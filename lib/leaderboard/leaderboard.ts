// A leaderboard on one Redis sorted set per board (per period for periodic boards), with its
// member metadata in a hash beside it. All keys of one board share the board's hash tag, so every
// script and every roll-up works on Redis Cluster.
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import {
  FRP_LEADERBOARD_ARGUMENT, FRP_LEADERBOARD_DENSE_LIMIT, FRP_LEADERBOARD_SCORE_RANGE
} from '../shared/errors.js'
import { keySpace, type KeySpace } from '../shared/keys.js'
import type { RedisClient } from '../shared/client.js'
import { callPolicy, type Bound } from '../shared/call-policy.js'
import { confirmReplicated } from '../shared/durability.js'
import { TypedEmitter } from '../shared/events.js'
import { normalizeLeaderboardOptions, type NormalizedLeaderboardOptions, type LeaderboardOptions } from './options.js'
import { periodCalendar, type PeriodCalendar } from './periods.js'
import { checkDuration, checkIncrement, checkInt, checkMember, checkScore, encodeMetadata, rangeText, storedBounds } from './input.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { storeRollup } from './rollup.js'
import { decodeMeta, decodeScore, toEntries } from './output.js'
import { scripts } from './scripts.js'
import { indexWriter, type IndexWriter } from './player-index.js'
import { denseWalk, finishDenseWalk } from './dense.js'
import type { Entry, LeaderboardEvents, LeaderboardReadOp, MemberInfo, Page, RankStyle, RollupOptions, SubmitResult } from './types.js'

export type { Entry, LeaderboardEvents, MemberInfo, Page, RankStyle, RollupOptions, SubmitResult } from './types.js'

interface Target { key: string, ttl: number }
interface View { key: string, expireAt: number, periodId: string | null, end: number, ownsMetadata: boolean }

const DESC = 'desc'
const NO_METAS: Array<string | false> = []
let bindView: (board: Leaderboard, view: View) => Leaderboard

export class Leaderboard extends TypedEmitter<LeaderboardEvents> {
  readonly name: string
  readonly #redis: RedisClient
  /** The same client, typed for direct commands (Redis and Cluster share them). */
  readonly #r: Redis
  readonly #cfg: NormalizedLeaderboardOptions
  readonly #ks: KeySpace
  readonly #metaKey: string
  readonly #calendar: PeriodCalendar | null
  #view: View | null = null
  #current: { start: number, end: number, key: string, id: string, expireAt: number } | null = null
  readonly #options: LeaderboardOptions
  /** Bounds each Redis wait by commandTimeout (no timer when the client's own is as tight). */
  readonly #bound: Bound
  /** Every failure as a coded error (FRP_REDIS_TIMEOUT, FRP_REDIS_UNAVAILABLE, ...); 'error' if listened to. */
  readonly #fail: (err: unknown) => never
  /** The call policy's bound, ms (a WAIT of the `durability` option may take this plus its timeout). */
  readonly #timeoutMs: number
  readonly #best: (key: string, op: string, score: number, member: string) => Promise<number | string>
  readonly #submitScript: (...keysThenArgs: Array<string | number | ReadonlyArray<string | number>>) => Promise<Array<string | number>>
  readonly #range: (key: string, metaKey: string, start: number, stop: number, order: string) => Promise<[string[], Array<string | false>?]>
  /** Where 'submit' and 'read' go: this board, or for a period or roll-up view the board it came from. */
  #events: Leaderboard = this
  /** With `playerIndex`: writes go through the index protocol (lib/leaderboard/player-index.ts). */
  readonly #index: IndexWriter | null

  static {
    bindView = (board, view) => { board.#view = view; return board }
  }

  constructor (redis: RedisClient, name: string, options: LeaderboardOptions = {}) {
    super()
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw new FRP_LEADERBOARD_ARGUMENT('name', 'must be a string of 1 to 200 characters')
    }
    this.name = name
    this.#redis = redis
    this.#r = redis as Redis
    this.#options = options
    this.#cfg = normalizeLeaderboardOptions(options)
    this.#ks = keySpace(this.#cfg.prefix, 'leaderboard')
    this.#metaKey = this.#ks.key(name, 'meta')
    this.#calendar = this.#cfg.period === null ? null : periodCalendar(this.#cfg.period, this.#cfg.timeZone)
    const policy = callPolicy(redis, this.#cfg.commandTimeout)
    this.#bound = policy.bound
    this.#timeoutMs = policy.timeoutMs
    this.#fail = err => {
      const e = policy.coded(err)
      if (this.listenerCount('error') > 0) this.emit('error', e)
      throw e
    }
    this.#best = scripts.bind(redis, 'best')
    this.#submitScript = scripts.bind(redis, 'submit')
    this.#range = scripts.bind(redis, 'range')
    this.#index = this.#cfg.playerIndex ? indexWriter(redis, this.#cfg, name, this.#metaKey) : null
  }

  /** The normalized configuration, including the tie-break budget (M, horizon). */
  get config (): Readonly<NormalizedLeaderboardOptions> { return this.#cfg }

  /** The sorted set the board reads and writes now (changes when a period rolls over). */
  get key (): string { return this.#target().key }

  /** The id of the current period (`2026-11-26`, `2026-W48`, `2026-11`), or null. */
  get periodId (): string | null {
    if (this.#view !== null) return this.#view.periodId
    if (this.#calendar === null) return null
    this.#target()
    return this.#current!.id
  }

  /** The key of #target() without building the target (hot reads). */
  #key (): string {
    const c = this.#current
    if (this.#view === null && this.#calendar === null && c !== null) return c.key
    return this.#target().key
  }

  #target (): Target {
    const v = this.#view
    if (v !== null) return { key: v.key, ttl: v.expireAt === Infinity ? 0 : Math.max(1, v.expireAt - this.#cfg.now()) }
    if (this.#calendar === null) {
      if (this.#current === null) this.#current = { start: 0, end: Infinity, key: this.#ks.key(this.name, 'all'), id: '', expireAt: Infinity }
      return { key: this.#current.key, ttl: 0 }
    }
    const now = this.#cfg.now()
    let c = this.#current
    if (c === null || now < c.start || now >= c.end) {
      const p = this.#calendar.at(now)
      // Period P is needed while it is among the last `keep` periods: until P + keep starts.
      c = this.#current = { start: p.start, end: p.end, id: p.id, key: this.#ks.key(this.name, 'p', p.id), expireAt: this.#calendar.startAfter(now, this.#cfg.keep) }
    }
    return { key: c.key, ttl: Math.max(1, c.expireAt - now) }
  }

  /**
   * TTL to give the metadata hash on a write: on periodic boards it must outlive every retained
   * period, so it is always the retention of the current period, even when the write goes to an
   * older period or a roll-up. Non-periodic boards keep their metadata.
   */
  #metaTtl (t: Target): number {
    if (this.#calendar === null) return 0
    if (this.#view === null) return t.ttl
    const now = this.#cfg.now()
    return Math.max(1, this.#calendar.startAfter(now, this.#cfg.keep) - now)
  }

  /** The period, its end and the key's expiry of the target #target() just built (for the index). */
  #where (): { period: string | null, end: number, expireAt: number } {
    const v = this.#view
    if (v !== null) return { period: v.periodId, end: v.end, expireAt: v.expireAt }
    const c = this.#current!
    return { period: this.#calendar === null ? null : c.id, end: c.end, expireAt: c.expireAt }
  }

  #ownsMetadata (): boolean {
    return this.#view === null ? this.#calendar === null : this.#view.ownsMetadata
  }

  #call<T> (p: Promise<T>): Promise<T> {
    return this.#bound(p).then(undefined, this.#fail)
  }

  /**
   * #call for a write: with the `durability` option it resolves only once the replicas confirmed
   * it (FRP_NOT_REPLICATED otherwise). Every key of a board shares its hash tag: the metadata key
   * names the master for them all.
   */
  #write<T> (p: Promise<T>): Promise<T> {
    const d = this.#cfg.durability
    const written = this.#call(p)
    if (d === undefined) return written
    return written.then(v => confirmReplicated(this.#redis, this.#metaKey, d, this.#timeoutMs).then(() => v, (err: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', err)
      throw err
    }))
  }

  #submitted (result: SubmitResult): SubmitResult {
    this.#events.emit('submit', result, this.name)
    return result
  }

  /** 'read' on the board's events (a period or roll-up view reports on the board it came from). */
  #read (op: LeaderboardReadOp): void {
    if (this.#events.listenerCount('read') > 0) this.#events.emit('read', this.name, op)
  }

  // --- writes -------------------------------------------------------------------------------

  /** Submits `score` for `member` under the board's update policy, atomically. */
  async submit (member: string, score: number, opts: { meta?: unknown } = {}): Promise<SubmitResult> {
    const m = checkMember(member, this.#cfg)
    const s = checkScore(score, this.#cfg)
    const meta = encodeMetadata(opts.meta, this.#cfg)
    const c = this.#cfg
    if (c.M === 1 && c.maxMembers === 0 && meta === '' && this.#calendar === null && this.#view === null && c.update !== 'increment' && this.#index === null) {
      // Nothing to pack, trim or expire. 'replace' is one native ZADD, atomic on its own; keep-best
      // is ZADD GT/LT (Redis 6.2) in a two-line script that also reads back the kept score: one
      // command for the client instead of ZADD + ZSCORE, far less than the general submit script.
      const key = this.#key()
      let result: SubmitResult
      if (c.update === 'replace') {
        const changed = await this.#write(this.#r.zadd(key, 'CH', s, m))
        result = { member: m, score: s, changed: changed === 1 }
      } else {
        // 1 when the new score was stored, else the older, better score that stayed.
        const kept = await this.#write(this.#best(key, c.order === DESC ? 'GT' : 'LT', s, m))
        result = typeof kept === 'number' ? { member: m, score: s, changed: true } : { member: m, score: Number(kept), changed: false }
      }
      return this.#events.listenerCount('submit') > 0 ? this.#submitted(result) : result
    }
    return (await this.#submit(c.update, [m, s, meta]))[0]
  }

  /** Submits many scores in one atomic script: all are applied, or none (a bad one rejects all). */
  async submitMany (entries: ReadonlyArray<{ member: string, score: number, meta?: unknown }>): Promise<SubmitResult[]> {
    if (!Array.isArray(entries)) throw new FRP_LEADERBOARD_ARGUMENT('entries', 'must be an array')
    if (entries.length === 0) return []
    const args: Array<string | number> = []
    for (const e of entries) {
      args.push(checkMember(e?.member, this.#cfg), checkScore(e.score, this.#cfg), encodeMetadata(e.meta, this.#cfg))
    }
    return await this.#submit(this.#cfg.update, args)
  }

  /** Adds `by` (may be negative) to the member's score, whatever the board's update policy. */
  async increment (member: string, by: number, opts: { meta?: unknown } = {}): Promise<SubmitResult> {
    const m = checkMember(member, this.#cfg)
    const b = checkIncrement(by, this.#cfg)
    return (await this.#submit('increment', [m, b, encodeMetadata(opts.meta, this.#cfg)]))[0]
  }

  async #submit (policy: string, triples: Array<string | number>): Promise<SubmitResult[]> {
    const c = this.#cfg
    const t = this.#target()
    const ownsMeta = this.#ownsMetadata()
    // Roll-up views are derived data: they are not indexed (erase() clears them through the
    // board's set of roll-up names).
    const indexed = this.#index !== null && (this.#view === null || this.#view.periodId !== null)
    // triples goes as one array argument: ioredis flattens command arguments, so no spread.
    const reply = indexed
      ? await this.#write(this.#index!.submit(t.key, this.#metaKey, [policy, c.order, c.M, c.minScore, c.maxScore,
        c.tieBreakEpoch, c.tieBreakResolution, t.ttl, c.maxMembers, this.#metaTtl(t), ownsMeta ? '1' : '0'], triples, this.#where()))
      : await this.#write(this.#submitScript(t.key, this.#metaKey, policy, c.order, c.M, c.minScore, c.maxScore,
        c.tieBreakEpoch, c.tieBreakResolution, t.ttl, c.maxMembers, this.#metaTtl(t), ownsMeta ? '1' : '0', triples))
    if (reply[0] === -1) {
      const i = (Number(reply[1]) - 1) * 3
      throw new FRP_LEADERBOARD_SCORE_RANGE(`for "${triples[i]}" after ${policy === 'increment' ? 'increment' : 'update'} ${triples[i + 1]}`, rangeText(c))
    }
    const out: SubmitResult[] = []
    for (let i = 0; i < reply.length; i += 2) {
      out.push({ member: triples[(i >> 1) * 3] as string, score: decodeScore(this.#cfg, reply[i]), changed: reply[i + 1] === 1 })
    }
    if (this.#events.listenerCount('submit') > 0) for (const r of out) this.#submitted(r)
    return out
  }

  /** Sets (or, with undefined, keeps) a member's metadata, e.g. `{ name: 'Ada' }`. */
  async setMetadata (member: string, meta: unknown): Promise<void> {
    const m = checkMember(member, this.#cfg)
    const v = encodeMetadata(meta, this.#cfg)
    if (v === '') return
    await this.#write(this.#r.hset(this.#metaKey, m, v))
  }

  async getMetadata (member: string): Promise<unknown> {
    return decodeMeta(this.#cfg, await this.#call(this.#r.hget(this.#metaKey, checkMember(member, this.#cfg))))
  }

  /** Removes a member; true when it was on the board. */
  async remove (member: string): Promise<boolean> {
    const m = checkMember(member, this.#cfg)
    const n = await this.#write(scripts.run<number>(this.#redis, 'remove', [this.#target().key, this.#metaKey], [m, this.#ownsMetadata() ? '1' : '0']))
    return n === 1
  }

  /** Deletes every score of the board (of the current period), and its metadata if it owns it. */
  async reset (): Promise<void> {
    const key = this.#target().key
    if (this.#ownsMetadata()) await this.#write(this.#r.del(key, this.#metaKey))
    else await this.#write(this.#r.del(key))
  }

  // --- reads --------------------------------------------------------------------------------

  async score (member: string): Promise<number | null> {
    this.#read('score')
    const s = await this.#call(this.#r.zscore(this.#key(), checkMember(member, this.#cfg)))
    return s === null ? null : decodeScore(this.#cfg, s)
  }

  /** The 1-based rank of `member` (null when absent). */
  async rank (member: string, opts: { style?: RankStyle } = {}): Promise<number | null> {
    const style = opts.style ?? 'ordinal'
    this.#read('rank')
    if (style === 'ordinal') {
      const m = checkMember(member, this.#cfg)
      const key = this.#key()
      const r = await this.#call(this.#cfg.order === DESC ? this.#r.zrevrank(key, m) : this.#r.zrank(key, m))
      return r === null ? null : r + 1
    }
    if (style !== 'competition' && style !== 'dense') throw new FRP_LEADERBOARD_ARGUMENT('style', "must be 'ordinal', 'competition' or 'dense'")
    const info = await this.#info(member, { dense: style === 'dense' })
    if (info === null) return null
    return style === 'dense' ? info.denseRank! : info.competitionRank
  }

  async percentile (member: string): Promise<number | null> {
    this.#read('percentile')
    return (await this.#info(member))?.percentile ?? null
  }

  /** Score, every rank style asked for, percentile and metadata of one member, in one read. */
  async info (member: string, opts: { dense?: boolean, meta?: boolean } = {}): Promise<MemberInfo | null> {
    this.#read('info')
    return await this.#info(member, opts)
  }

  async #info (member: string, opts: { dense?: boolean, meta?: boolean } = {}): Promise<MemberInfo | null> {
    const c = this.#cfg
    const m = checkMember(member, c)
    const key = this.#target().key
    const dense = opts.dense === true
    const reply = await this.#call(scripts.run<[string, number, number, number, number, string | false | null, number, string | null] | null>(
      this.#redis, 'member', [key, this.#metaKey], [m, c.order, c.M, opts.meta === true ? '1' : '0', dense ? c.denseRankLimit + 1 : 0, denseWalk.work]))
    if (reply === null) return null
    const [stored, rank, better, equal, count, meta] = reply
    let distinct = reply[6]
    if (dense && reply[7] !== null) {
      // The walk goes on past the first call's budget, one bounded call at a time: not one snapshot
      // (docs/leaderboard.md, Dense rank).
      distinct = await finishDenseWalk(distinct, reply[7], Math.min(better, c.denseRankLimit + 1), async (from, want) =>
        await this.#call(scripts.run<[number, string | null]>(this.#redis, 'dense', [key], [from, c.order, c.M, want, denseWalk.work])))
    }
    if (distinct > c.denseRankLimit) throw new FRP_LEADERBOARD_DENSE_LIMIT(m, c.denseRankLimit)
    const below = count - better - equal
    const info: MemberInfo = {
      member: m,
      score: decodeScore(this.#cfg, stored),
      rank: rank + 1,
      competitionRank: better + 1,
      percentile: 100 * (below + equal / 2) / count,
      count
    }
    if (dense) info.denseRank = distinct + 1
    if (c.M > 1) {
      const tie = Number(stored) % c.M
      const ticks = c.order === DESC ? c.M - 1 - tie : tie
      info.reachedAt = c.tieBreakEpoch + ticks * c.tieBreakResolution
    }
    if (opts.meta === true) info.meta = decodeMeta(this.#cfg, meta)
    return info
  }

  /** The best `limit` members after skipping `offset`. */
  async top (limit = 10, offset = 0, opts: { meta?: boolean } = {}): Promise<Entry[]> {
    checkInt('limit', limit, 1, 100_000)
    checkInt('offset', offset, 0)
    this.#read('top')
    const key = this.#key()
    const stop = offset + limit - 1
    if (opts.meta === true) {
      // The script leaves the metadata out when the board has none: every entry's meta is null.
      const [items, metas] = await this.#call(this.#range(key, this.#metaKey, offset, stop, this.#cfg.order))
      return toEntries(this.#cfg, items, offset, metas ?? NO_METAS)
    }
    const items = await this.#call(this.#cfg.order === DESC
      ? this.#r.zrevrange(key, offset, stop, 'WITHSCORES')
      : this.#r.zrange(key, offset, String(stop), 'WITHSCORES'))
    return toEntries(this.#cfg, items, offset)
  }

  /**
   * Walks the board page by page: pass null first, then the returned `next`. Members that enter
   * above the cursor between two calls do not shift the following page.
   */
  async page (cursor: string | null = null, opts: { limit?: number } = {}): Promise<Page> {
    const limit = checkInt('limit', opts.limit ?? 10, 1, 100_000)
    this.#read('page')
    const key = this.#key()
    let first = 0
    let items: string[]
    if (cursor === null) {
      items = await this.#call(this.#cfg.order === DESC
        ? this.#r.zrevrange(key, 0, limit - 1, 'WITHSCORES')
        : this.#r.zrange(key, 0, String(limit - 1), 'WITHSCORES'))
    } else {
      const [member, stored] = decodeCursor(cursor)
      ;[first, items] = await this.#call(scripts.run<[number, string[]]>(this.#redis, 'page', [key], [member, stored, limit, this.#cfg.order]))
    }
    const entries = toEntries(this.#cfg, items, first)
    if (entries.length < limit) return { entries, next: null }
    return { entries, next: encodeCursor(items[items.length - 2], items[items.length - 1]) }
  }

  /**
   * The 2 * radius + 1 members around `member` (it included), filled from the other side at the
   * top and bottom edges; null when the member is not on the board.
   */
  async around (member: string, radius = 5, opts: { meta?: boolean } = {}): Promise<Entry[] | null> {
    const m = checkMember(member, this.#cfg)
    checkInt('radius', radius, 0, 10_000)
    this.#read('around')
    const reply = await this.#call(scripts.run<[number, string[], Array<string | false>] | null>(
      this.#redis, 'around', [this.#target().key, this.#metaKey], [m, radius, this.#cfg.order, opts.meta === true ? '1' : '0']))
    if (reply === null) return null
    return toEntries(this.#cfg, reply[1], reply[0], opts.meta === true ? reply[2] : undefined)
  }

  /**
   * The members whose score lies in [min, max] (either may be ±Infinity), in board order: the best
   * first, `limit` of them (default 100) after skipping `offset`, each with its rank.
   */
  async rangeByScore (min: number, max: number, opts: { limit?: number, offset?: number, meta?: boolean } = {}): Promise<Entry[]> {
    const bounds = storedBounds(min, max, this.#cfg)
    const limit = checkInt('limit', opts.limit ?? 100, 1, 100_000)
    const offset = checkInt('offset', opts.offset ?? 0, 0)
    this.#read('rangeByScore')
    if (bounds === null) return []
    const [first, items, metas] = await this.#call(scripts.run<[number, string[], Array<string | false>]>(this.#redis, 'by-score',
      [this.#target().key, this.#metaKey], [bounds[0], bounds[1], offset, limit, this.#cfg.order, opts.meta === true ? '1' : '0']))
    return toEntries(this.#cfg, items, first, opts.meta === true ? metas : undefined)
  }

  async count (): Promise<number> {
    this.#read('count')
    return await this.#call(this.#r.zcard(this.#key()))
  }

  // --- periods and roll-ups -----------------------------------------------------------------

  /**
   * The board of another period: `period(-1)` is the previous one. The view stays bound to that
   * period; it expires with it.
   */
  period (offset: number): Leaderboard {
    if (this.#calendar === null) throw new FRP_LEADERBOARD_ARGUMENT('offset', 'the board is not periodic')
    checkInt('offset', offset, -1000, 0)
    const now = this.#cfg.now()
    const p = this.#calendar.at(now, offset)
    return this.#derive({
      key: this.#ks.key(this.name, 'p', p.id),
      expireAt: this.#calendar.startAfter(now, offset + this.#cfg.keep),
      periodId: p.id,
      end: p.end,
      ownsMetadata: false
    })
  }

  /** The stored roll-up `name` (see rollup()), without recomputing it. */
  rolledUp (name: string): Leaderboard {
    checkMember(name, this.#cfg)
    return this.#derive({ key: this.#ks.key(this.name, 'r', name), expireAt: Infinity, periodId: null, end: Infinity, ownsMetadata: false })
  }

  /**
   * Rolls the last `periods` periods up into the board `name` (replacing it atomically) and
   * returns it: e.g. a weekly board from daily ones. Metadata is shared with the source board.
   */
  async rollup (name: string, opts: RollupOptions = {}): Promise<Leaderboard> {
    if (this.#calendar === null) throw new FRP_LEADERBOARD_ARGUMENT('rollup', 'the board is not periodic')
    const c = this.#cfg
    const n = checkInt('periods', opts.periods ?? c.keep, 1, 1000)
    const aggregate = opts.aggregate ?? 'sum'
    if (aggregate !== 'sum' && aggregate !== 'best') throw new FRP_LEADERBOARD_ARGUMENT('aggregate', "must be 'sum' or 'best'")
    const ttl = opts.ttl === undefined ? 0 : checkDuration('ttl', opts.ttl, 1)
    const view = this.rolledUp(name)
    // Listed for PlayerIndex.erase(), which must reach roll-ups too.
    if (this.#index !== null) await this.#call(this.#r.sadd(this.#index.rollupsKey, name))
    const now = c.now()
    const sources: string[] = []
    for (let i = 0; i > -n; i--) sources.push(this.#ks.key(this.name, 'p', this.#calendar.at(now, i).id))
    await storeRollup({
      redis: this.#r,
      cfg: c,
      sources,
      dest: view.key,
      tmp: this.#ks.key(this.name, 'tmp', randomUUID()),
      aggregate,
      ttl,
      call: p => this.#call(p),
      // The last call stores the roll-up (a RENAME or DEL): the one to wait for.
      write: p => this.#write(p),
      addDecoded: (tmp, src) => scripts.run(this.#redis, 'rollup-add', [tmp, src], [c.order, c.M, c.minScore, c.maxScore])
    })
    return view
  }

  #derive (view: View): Leaderboard {
    const derived = bindView(new Leaderboard(this.#redis, this.name, this.#options), view)
    derived.#events = this.#events
    return derived
  }
}
