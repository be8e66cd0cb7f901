// The mutants of the mutation drill (scripts/mutations/run.mjs): one per guarantee that matters.
// Each breaks exactly one invariant of lib/ (or a plugin) the way a plausible bug would, and names
// the test files that must then fail, most specific first (the drill stops at the first failure).
//
//   id         short, unique, kebab-case
//   guarantee  what the code promises (what the mutant breaks)
//   file       the file to mutate, from the repository root
//   find       exact text; must occur exactly once in `file` (else the drill fails: "not applied")
//   replace    what it becomes
//   edits      instead of file/find/replace: [{ file, find, replace }, ...] applied together, for
//              a guarantee enforced twice (where breaking one guard alone changes nothing)
//   tests      test files expected to catch it
//
// When a refactor moves the text a mutant looks for, update `find` (and keep the mutant's intent).

/** @typedef {{ file: string, find: string, replace: string }} Edit */
/** @type {Array<{ id: string, guarantee: string, tests: string[] } & (Edit | { edits: Edit[] })>} */
export const mutants = [
  // --- lock --------------------------------------------------------------------------------------
  {
    id: 'lock-release-no-owner-check',
    guarantee: 'only the owner token can release a lock',
    file: 'lib/lock/release-4.lua',
    find: "if marked and v ~= token .. '+' then return 0 end",
    replace: 'if not v then return 0 end',
    // An uncontended release never reaches release-4.lua: a waiter leaving the line does.
    tests: ['test/lock/handoff.test.ts', 'test/lock/acquire.test.ts', 'test/lock/wake.test.ts']
  },
  {
    id: 'lock-release-unmarked-no-owner-check',
    guarantee: 'only the owner token can release a lock (the uncontended release script)',
    file: 'lib/lock/release-unmarked-1.lua',
    find: 'if v == ARGV[1] then',
    replace: 'if v then',
    tests: ['test/lock/acquire.test.ts', 'test/lock/release-paths.test.ts']
  },
  {
    id: 'lock-burst-no-fence-floor',
    guarantee: 'a burst\'s own fencing tokens (burst option) stay below every later token: its last release raises the counter',
    file: 'lib/lock/release-4.lua',
    find: 'if floor > tonumber(redis.call(\'GET\', KEYS[2]) or \'0\') then',
    replace: 'if false then',
    tests: ['test/lock/burst.test.ts']
  },
  {
    id: 'lock-burst-unbounded',
    guarantee: 'a Locker reuses a lock for at most `burst` leases in a row, then hands it to the next process in line',
    file: 'lib/lock/burst.ts',
    find: 'if (parked.turn >= this.#burst || this.#parked.has(redisKey)) return false',
    replace: 'if (this.#parked.has(redisKey)) return false',
    tests: ['test/lock/burst.test.ts']
  },
  {
    id: 'lock-extend-no-owner-check',
    guarantee: 'only the owner token can extend a lock',
    file: 'lib/lock/extend-1.lua',
    find: "if v == ARGV[1] or v == ARGV[1] .. '+' then",
    replace: 'if v then',
    tests: ['test/lock/acquire.test.ts', 'test/lock/lease.test.ts']
  },
  {
    id: 'lock-fence-not-incremented',
    guarantee: 'every acquisition of a resource gets a higher fencing token (also while the clock is behind its last token)',
    file: 'lib/lock/_fence.lua',
    find: 'local token = tonumber(last) + 1',
    replace: 'local token = tonumber(last)',
    tests: ['test/lock/acquire.test.ts', 'test/lock/fencing-failover.test.ts']
  },
  {
    id: 'lock-fence-ignores-clock',
    guarantee: 'a lost or rolled-back fence counter (a promoted replica that missed increments) never yields a lower token',
    file: 'lib/lock/_fence.lua',
    find: 'if last and tonumber(last) >= now then',
    replace: 'if last then',
    tests: ['test/lock/fencing-failover.test.ts']
  },
  {
    id: 'lock-fence-never-expires',
    guarantee: 'idle fence counters expire (pitfall 6, orphaned keys)',
    edits: [
      { file: 'lib/lock/_fence.lua', find: "redis.call('SET', key, string.format('%.0f', token), 'PX', ahead + ttl + 1)", replace: "redis.call('SET', key, string.format('%.0f', token))" },
      { file: 'lib/lock/_fence.lua', find: "'PX', ttl + 1, 'GET')", replace: "'GET')" }
    ],
    tests: ['test/lock/fencing-failover.test.ts']
  },
  {
    id: 'lock-quorum-fence-not-raised',
    guarantee: 'Redlock: fencing tokens stay monotonic although each master counts on its own',
    file: 'lib/lock/raise-fence-2.lua',
    find: 'if current < to then storeFence(KEYS[2], to, fenceClock(), tonumber(ARGV[3])) end',
    replace: '',
    tests: ['test/lock/quorum.test.ts']
  },
  {
    id: 'lock-lost-unnoticed-on-reconnect',
    guarantee: 'a kept-alive lease checks its lock when the client reconnects (a failover), and reports it lost at once',
    file: 'lib/lock/lease.ts',
    find: 'if (timer === null) return',
    replace: 'return',
    tests: ['test/lock/fencing-failover.test.ts']
  },
  {
    id: 'lock-quorum-of-one',
    guarantee: 'Redlock: a lock counts only when a majority of masters granted it',
    // Counted twice (the nodes that granted it, then those confirmed at the lease's fencing
    // token): breaking one count alone changes nothing.
    edits: [
      { file: 'lib/lock/store.ts', find: 'if (won.length >= this.#quorum) {', replace: 'if (won.length >= 1) {' },
      { file: 'lib/lock/store.ts', find: 'if (confirmed >= this.#quorum) return max', replace: 'if (confirmed >= 1) return max' }
    ],
    tests: ['test/lock/quorum.test.ts']
  },
  {
    id: 'lock-lease-ignores-deadline',
    guarantee: 'a lease counts as lost once its deadline passes on the local monotonic clock',
    file: 'lib/lock/lease.ts',
    find: 'if (performance.now() < this.#deadline) return true',
    replace: 'return true',
    tests: ['test/lock/lease-local-deadline.test.ts']
  },

  // --- rate limit --------------------------------------------------------------------------------
  {
    id: 'rl-sliding-window-admits-at-limit',
    guarantee: 'sliding window log: a request is refused once limit units are in the window',
    file: 'lib/rate-limit/_sliding-window-one.lua',
    find: 'if c + cost > limit then return sw_rejected(key, c, cost, limit, now, w) end',
    replace: 'if c > limit then return sw_rejected(key, c, cost, limit, now, w) end',
    tests: ['test/rate-limit/algorithms.test.ts']
  },
  {
    id: 'rl-gcra-off-by-one',
    guarantee: 'GCRA admits exactly burst requests at once, not one more',
    file: 'lib/rate-limit/_gcra-one.lua',
    find: 'if tat + need - now <= tolerance + 1 then return nil end',
    replace: 'if tat + need - now <= tolerance + interval then return nil end',
    tests: ['test/rate-limit/algorithms.test.ts']
  },
  {
    id: 'rl-fixed-window-no-ttl',
    guarantee: 'fixed window: the counter key expires with its window (no key lives for ever)',
    file: 'lib/rate-limit/_fixed-window-one.lua',
    find: "    redis.call('SET', key, c, 'PX', w / 1000)",
    replace: "    redis.call('SET', key, c)",
    tests: ['test/rate-limit/window-boundaries.test.ts', 'test/rate-limit/algorithms.test.ts', 'test/rate-limit/hot-path.test.ts']
  },
  {
    id: 'rl-sliding-counter-ignores-previous',
    guarantee: 'sliding counter: the previous window counts for its part still inside the window',
    file: 'lib/rate-limit/_sliding-counter-one.lua',
    find: 'return p * (w - (now - start)) / w + c',
    replace: 'return c',
    tests: ['test/rate-limit/algorithms.test.ts', 'test/rate-limit/window-boundaries.test.ts']
  },
  {
    id: 'rl-batch-writes-lost',
    guarantee: 'a batched check counts exactly as the same checks sent one by one',
    file: 'lib/rate-limit/batch-n.lua',
    find: '  s.c, s.dirty = s.c + cost, true\n  return fw_admitted(s.start, s.c, limit, now, w)',
    replace: '  s.c, s.dirty = s.c + cost, false\n  return fw_admitted(s.start, s.c, limit, now, w)',
    tests: ['test/rate-limit/batch.test.ts']
  },
  {
    id: 'rl-deny-fails-open',
    guarantee: "onRedisError 'deny' refuses requests while Redis is unavailable (fail closed)",
    file: 'lib/rate-limit/rate-limiter.ts',
    find: 'return { allowed: false, limit, remaining: 0, resetMs: 1000, retryAfterMs: 1000, policy: p, degraded: true }',
    replace: 'return { allowed: true, limit, remaining: 0, resetMs: 1000, retryAfterMs: 1000, policy: p, degraded: true }',
    tests: ['test/rate-limit/redis-failure.test.ts']
  },

  // --- session -----------------------------------------------------------------------------------
  {
    id: 'session-update-no-destroyed-check',
    guarantee: 'a write never resurrects a destroyed, expired or regenerated session (hot path)',
    file: 'lib/session/update-1.lua',
    find: "if redis.call('HEXISTS', key, '#x') == 0 then return -1 end",
    replace: '',
    tests: ['test/session/write-path.test.ts', 'test/session/races.test.ts']
  },
  {
    id: 'session-absolute-ttl-not-capped',
    guarantee: 'activity never extends a session past its absolute deadline',
    file: 'lib/session/save-2.lua',
    find: "  local ttl = math.min(idle, deadline - now)\n  redis.call('PEXPIRE', key, ttl)\n  if ARGV[6] ~= '0' then index(meta[2], now + ttl, ttl) end",
    replace: "  local ttl = idle\n  redis.call('PEXPIRE', key, ttl)\n  if ARGV[6] ~= '0' then index(meta[2], now + ttl, ttl) end",
    tests: ['test/session/write-path.test.ts', 'test/session/expiry.test.ts']
  },
  {
    id: 'session-login-keeps-id',
    guarantee: 'session fixation: logging in issues a new session id',
    file: 'lib/session/session.ts',
    find: 'const newId = newSessionId(userTag(uid))',
    replace: 'const newId = oldId ?? newSessionId(userTag(uid))',
    tests: ['test/session/fixation.test.ts']
  },
  {
    id: 'session-regenerate-keeps-old',
    guarantee: 'session fixation: regenerate() kills the old id',
    file: 'lib/session/session.ts',
    find: '      if (this.#persisted && oldId !== null) await this.#store.destroy(oldId)\n',
    replace: '',
    tests: ['test/session/fixation.test.ts']
  },
  {
    id: 'session-regenerate-copies',
    guarantee: 'regenerate with keepData moves the data: the old id dies in the same step',
    file: 'lib/session/regenerate-3.lua',
    find: "redis.call('RENAME', KEYS[1], KEYS[2])",
    replace: "redis.call('COPY', KEYS[1], KEYS[2])",
    tests: ['test/session/store.test.ts', 'test/session/fixation.test.ts']
  },
  {
    id: 'session-tampered-cookie-accepted',
    guarantee: 'a cookie whose signature does not verify is never accepted',
    file: 'plugins/session.ts',
    find: 'const unsigned = signer.unsign(raw)',
    replace: "const unsigned = { valid: true, renew: false, value: raw.slice(0, raw.lastIndexOf('.')) }",
    tests: ['test/session/tamper.test.ts']
  },

  // --- queue -------------------------------------------------------------------------------------
  {
    id: 'queue-complete-no-owner-token',
    guarantee: 'only the worker holding the lease token can complete a job',
    file: 'lib/queue/take-9.lua',
    find: "if v[1] ~= ARGV[b + 2] or not redis.call('ZSCORE', KEYS[3], id) then",
    replace: "if not redis.call('ZSCORE', KEYS[3], id) then",
    tests: ['test/queue/owner-token.test.ts']
  },
  {
    id: 'queue-fail-no-owner-token',
    guarantee: 'only the worker holding the lease token can fail (or retry) a job',
    file: 'lib/queue/fail-7.lua',
    find: "if v[1] ~= ARGV[4] or not redis.call('ZSCORE', KEYS[1], id) then return 0 end",
    replace: "if not redis.call('ZSCORE', KEYS[1], id) then return 0 end",
    tests: ['test/queue/owner-token.test.ts']
  },
  {
    id: 'queue-retry-ignores-attempts',
    guarantee: 'a job is retried at most attempts - 1 times, then dead-lettered',
    // Two guards enforce it (the worker asks for no retry, the script checks the count again):
    // either alone is an equivalent mutant, so this one removes both.
    edits: [
      {
        file: 'lib/queue/fail-7.lua',
        find: "if delay >= 0 and made < tonumber(v[2] or '1') then",
        replace: 'if delay >= 0 then'
      },
      {
        file: 'lib/queue/worker.ts',
        find: 'const retry = made < job.attempts ? backoffDelay(job.backoff, made) : -1',
        replace: 'const retry = backoffDelay(job.backoff, made)'
      }
    ],
    tests: ['test/queue/retries.test.ts']
  },
  {
    id: 'queue-delayed-promoted-early',
    guarantee: 'a delayed job does not run before its due time',
    file: 'lib/queue/take-9.lua',
    find: "local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 1000)",
    replace: "local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '+inf', 'LIMIT', 0, 1000)",
    tests: ['test/queue/delayed.test.ts']
  },
  {
    id: 'queue-stalled-recovery-disabled',
    guarantee: 'a job whose worker died goes back to waiting when its lease expires (no job lost)',
    file: 'lib/queue/take-9.lua',
    find: "local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. now, 'LIMIT', 0, 1000)",
    replace: 'local expired = {}',
    tests: ['test/queue/lifecycle.test.ts']
  },
  {
    id: 'queue-priority-ignored',
    guarantee: 'jobs run by priority (lower first), FIFO within a priority',
    file: 'lib/queue/_waiting.lua',
    find: 'local score = prio * 8589934592 + (seq % 8589934592)',
    replace: 'local score = seq % 8589934592',
    tests: ['test/queue/priority.test.ts']
  },
  {
    id: 'queue-global-concurrency-ignored',
    guarantee: 'global concurrency caps active jobs across all workers',
    file: 'lib/queue/take-9.lua',
    find: '    if free <= 0 then return reply(3, -1) end\n    if free < max then max = free end\n',
    replace: '',
    tests: ['test/queue/limits.test.ts']
  },
  {
    id: 'queue-schedule-tick-claimed-twice',
    guarantee: 'a schedule tick is claimed by one instance only (exactly one job per tick)',
    file: 'lib/queue/sched-tick-8.lua',
    find: 'if (not current) or tonumber(current) ~= tick then return {} end',
    replace: 'if not current then return {} end',
    tests: ['test/queue/schedules.test.ts']
  },
  {
    id: 'queue-job-id-not-deduplicated',
    guarantee: 'adding the same jobId twice creates one job',
    file: 'lib/queue/_add.lua',
    find: "elseif redis.call('EXISTS', prefix .. 'job:' .. jobId) == 1 then",
    replace: 'elseif false then',
    tests: ['test/queue/job-id-while-job-exists.test.ts', 'test/queue/idempotent.test.ts']
  },

  // --- cache -------------------------------------------------------------------------------------
  {
    id: 'metrics-adhoc-board-labelled-by-name',
    guarantee: 'metric labels are bounded: boards made on the fly from a request-chosen name share one label',
    file: 'plugins/metrics/leaderboard.ts',
    find: 'const label = configured ? board.name : ADHOC_BOARD',
    replace: 'const label = board.name',
    tests: ['test/metrics/workload.test.ts']
  },
  {
    id: 'metrics-peek-counted-as-decision',
    guarantee: 'a rate-limit peek is not a decision: only counted checks move frp_ratelimit_decisions_total',
    file: 'plugins/metrics/rate-limit.ts',
    find: '      if (!d.counted) return\n',
    replace: '',
    tests: ['test/metrics/workload.test.ts']
  },
  {
    id: 'cache-client-no-cache-forces-origin',
    guarantee: "a client's Cache-Control: no-cache cannot force an origin load unless the route opts in (honorNoCache)",
    file: 'plugins/cache.ts',
    find: 'c.honorNoCache, false)',
    replace: 'c.honorNoCache, true)',
    tests: ['test/cache/cache-control.test.ts']
  },
  {
    id: 'cache-control-stored-with-response',
    guarantee: "the route cache's own Cache-Control is never stored with the response (a hit sends the current one; a handler's header wins)",
    edits: [
      { file: 'plugins/cache.ts', find: '      const headers = reply.getHeaders()\n      const verdict', replace: "      if (p.cacheControl !== null && !reply.hasHeader('cache-control')) reply.header('cache-control', p.cacheControl.replace('private', 'public'))\n      const headers = reply.getHeaders()\n      const verdict" }
    ],
    tests: ['test/cache/cache-control.test.ts']
  },
  {
    id: 'cache-stale-set-not-guarded',
    guarantee: 'a fetch that an invalidation overtook never stores its stale result',
    file: 'lib/cache/store-3.lua',
    find: "if ARGV[1] ~= '' and g == ARGV[1] and ttl > 0 then",
    replace: "if ARGV[1] ~= '' and ttl > 0 then",
    tests: ['test/cache/stale-set.test.ts']
  },
  {
    id: 'cache-invalidate-generation-not-bumped',
    guarantee: 'an invalidation bumps the generation, so a fetch in flight cannot store',
    file: 'lib/cache/invalidate-3.lua',
    find: "if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('INCR', KEYS[2]) end",
    replace: '',
    tests: ['test/cache/stale-set.test.ts']
  },
  {
    id: 'cache-tag-version-not-bumped',
    guarantee: 'invalidating a tag invalidates every entry carrying it',
    file: 'lib/cache/tag-invalidate-1.lua',
    find: "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCR', KEYS[1]) end",
    replace: '',
    tests: ['test/cache/core.test.ts']
  },
  {
    id: 'cache-invalidation-not-broadcast',
    guarantee: 'an invalidation on one instance drops the L1 copy of every other instance',
    file: 'lib/cache/invalidate-3.lua',
    find: "if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end",
    replace: '',
    tests: ['test/cache/invalidation-broadcast.test.ts', 'test/cache/coherence.test.ts']
  },
  {
    id: 'cache-l1-not-flushed-on-reconnect',
    guarantee: 'L1 is flushed when the bus comes back up (messages may have been missed while down)',
    file: 'lib/cache/invalidation-bus.ts',
    find: "readonly #onUp = (): void => this.#flush('up', true)",
    replace: 'readonly #onUp = (): void => { if (this.#l1 !== null) this.#l1.live = true }',
    tests: ['test/cache/coherence.test.ts']
  },
  {
    id: 'cache-stampede-lease-kept-on-failure',
    guarantee: 'a failing fetcher releases the fill lease, so a waiter retries at once',
    file: 'lib/cache/wrap.ts',
    find: '    abandon(ctx, lease, false).catch(() => {})\n',
    replace: '',
    tests: ['test/cache/lease-release-on-failure.test.ts', 'test/cache/stampede.test.ts']
  },
  {
    id: 'cache-write-behind-requeue-drops',
    guarantee: 'write-behind: a batch whose flush failed is put back, not dropped',
    file: 'lib/cache/wb-settle-4.lua',
    find: "if v and redis.call('HSETNX', KEYS[1], k, v) == 1 then redis.call('RPUSH', KEYS[2], k) end",
    replace: '',
    tests: ['test/cache/write-behind.test.ts']
  },

  // --- route cache and input limits (issue 15's attack findings) ------------------------------
  {
    id: 'route-cache-stores-private',
    guarantee: 'a response with Cache-Control private / no-store / no-cache is never stored by the route cache',
    file: 'plugins/cache/storable.ts',
    // The source line holds a template literal, so this string must contain `${`.
    // eslint-disable-next-line no-template-curly-in-string, @stylistic/quotes
    find: "if (REFUSING_DIRECTIVES.includes(name)) return { store: false, reason: `cache-control: ${name}` }",
    replace: '',
    tests: ['test/cache/route-privacy.test.ts']
  },
  {
    id: 'route-cache-ignores-vary',
    guarantee: "a response's Vary headers must be in the route cache key before it is stored",
    file: 'plugins/cache/storable.ts',
    find: 'if (missing.length > 0) return',
    replace: 'if (missing.length < 0) return',
    tests: ['test/cache/route-privacy.test.ts']
  },
  {
    id: 'route-cache-replays-ratelimit',
    guarantee: 'per-request headers (RateLimit*) are never stored, so a hit shows the current quota',
    file: 'plugins/cache/response.ts',
    find: "name.startsWith('ratelimit') || name.startsWith('x-ratelimit') || ",
    replace: '',
    tests: ['test/cache/route-privacy.test.ts']
  },
  {
    id: 'route-cache-tags-before-coercion',
    guarantee: 'route-cache key/tags functions see the validated, coerced request (every id spelling invalidated together)',
    file: 'plugins/cache.ts',
    find: 'if (p.afterValidation) route.preHandler',
    replace: 'if (p.afterValidation && false) route.preHandler',
    tests: ['test/cache/route-privacy.test.ts']
  },
  {
    id: 'route-cache-no-host-in-key',
    guarantee: 'Host is part of the route cache key by default (host-based tenants never share entries)',
    file: 'plugins/cache/route-key.ts',
    find: "if (varyHost && !this.#headers.includes('host'))",
    replace: "if (false && varyHost && !this.#headers.includes('host'))",
    tests: ['test/cache/route-privacy.test.ts']
  },
  {
    id: 'codec-inflate-unbounded',
    guarantee: 'decoding never inflates a compressed entry past maxBytes (no decompression bomb)',
    file: 'lib/shared/codec.ts',
    find: ', { maxOutputLength: maxBytes })',
    replace: ')',
    tests: ['test/shared/codec-limits.test.ts']
  },
  {
    id: 'codec-size-checked-after-compression',
    guarantee: 'maxBytes bounds the encoding before compression (a 30 MB compressible value is refused)',
    edits: [
      { file: 'lib/shared/codec.ts', find: 'if (value.length >= maxBytes) tooLarge(', replace: 'if (value.length >= maxBytes * 1e6) tooLarge(' },
      { file: 'lib/shared/codec.ts', find: 'if (out.length * 3 > maxBytes) {', replace: 'if (false) {' }
    ],
    tests: ['test/shared/codec-limits.test.ts']
  },
  // --- leaderboard -------------------------------------------------------------------------------
  {
    id: 'lb-rank-off-by-one',
    guarantee: 'ranks are 1-based',
    file: 'lib/leaderboard/leaderboard.ts',
    find: 'return r === null ? null : r + 1',
    replace: 'return r === null ? null : r',
    tests: ['test/leaderboard/ranks.test.ts']
  },
  {
    id: 'lb-tie-order-reversed',
    guarantee: 'among equal scores the earlier submission ranks higher (desc boards)',
    file: 'lib/leaderboard/_submit.lua',
    find: 'if desc then tie = M - 1 - ticks else tie = ticks end',
    replace: 'tie = ticks',
    tests: ['test/leaderboard/ordering.test.ts']
  },
  {
    id: 'lb-erase-fence-ignored',
    guarantee: 'on Cluster a write indexed before an erase that reaches its board after it is refused (no unindexed score)',
    file: 'lib/leaderboard/submit-fenced-3.lua',
    find: 'if fence and tonumber(fence) >= tonumber(ARGV[12 + j]) then return { -2, j } end',
    replace: '',
    tests: ['test/leaderboard/erase.test.ts']
  },
  {
    id: 'lb-player-index-not-written',
    guarantee: 'a standalone write lists the board in the player index of every member it writes',
    file: 'lib/leaderboard/submit-indexed-n.lua',
    find: 'for j = 3, #KEYS do index_add(KEYS[j], KEYS[1], ARGV[12], expireAt) end',
    replace: '',
    tests: ['test/leaderboard/player-view.test.ts']
  },
  {
    id: 'lb-competition-rank-counts-ties',
    guarantee: 'competition rank is 1 + the members with a strictly better score',
    file: 'lib/leaderboard/member-2.lua',
    find: "better = redis.call('ZCOUNT', key, '(' .. fmt(hi), '+inf')",
    replace: "better = redis.call('ZCOUNT', key, fmt(hi), '+inf')",
    tests: ['test/leaderboard/ranks.test.ts']
  },
  {
    id: 'lb-dense-counts-stored-values',
    guarantee: 'dense rank counts distinct user scores, not the stored values that encode arrival time',
    file: 'lib/leaderboard/_dense.lua',
    find: 'local bl, bh = bounds(tonumber(items[i]), M)',
    replace: 'local bl, bh = bounds(tonumber(items[i]), 1)',
    tests: ['test/leaderboard/dense-rank.test.ts']
  },
  {
    id: 'lb-dense-walk-not-resumed',
    guarantee: 'a dense rank walk cut by its work budget goes on in further calls (issue 22)',
    file: 'lib/leaderboard/dense.ts',
    find: 'while (resume !== null && found < want) {',
    replace: 'while (false) {',
    tests: ['test/leaderboard/dense-rank.test.ts']
  },
  {
    id: 'lb-page-cursor-repeats',
    guarantee: 'cursor pages never repeat the last entry of the previous page',
    file: 'lib/leaderboard/page-1.lua',
    find: '  start = start + 1\n',
    replace: '',
    tests: ['test/leaderboard/ranks.test.ts', 'test/leaderboard/routes.test.ts']
  },

  // --- shared ------------------------------------------------------------------------------------
  {
    id: 'codec-bigint-as-number',
    guarantee: 'codec: a BigInt comes back a BigInt',
    file: 'lib/shared/codec.ts',
    find: "case 'BigInt': return BigInt(v)",
    replace: "case 'BigInt': return Number(v)",
    tests: ['test/shared/codec.test.ts']
  },
  {
    id: 'codec-buffer-as-uint8array',
    guarantee: 'codec: a Buffer comes back a Buffer',
    file: 'lib/shared/codec.ts',
    find: "case 'Buffer': return Buffer.from(v, 'base64')",
    replace: "case 'Buffer': return new Uint8Array(Buffer.from(v, 'base64'))",
    tests: ['test/shared/codec.test.ts']
  },
  {
    id: 'scripts-no-noscript-fallback',
    guarantee: 'an empty script cache (NOSCRIPT: restart, failover) is invisible to callers',
    file: 'lib/shared/scripts.ts',
    find: 'if (isNoScript(err)) return r.eval(def.lua, numkeys, ...a) as Promise<T>',
    replace: 'if (isNoScript(err)) return Promise.reject(err)',
    tests: ['test/shared/scripts.test.ts']
  },
  {
    id: 'scripts-no-cluster-resend',
    guarantee: 'resharding: a script refused with ASK/TRYAGAIN inside an auto-pipelined batch is sent again, not failed',
    file: 'lib/shared/scripts.ts',
    find: 'if (isCluster(redis) && isRedirection(err)) return resend<T>(redis, def, [numkeys, ...a], err)',
    replace: '',
    tests: ['test/cluster/resharding.test.ts']
  },
  {
    id: 'notifier-cluster-silent-subscriber-move',
    guarantee: 'cache L1 on a Cluster: losing the subscriber\'s node flushes L1 (ioredis moves its own subscriber silently)',
    file: 'lib/shared/notifier.ts',
    find: 'const sub: SubscriberConnection = isCluster(this.#source)',
    replace: 'const sub: SubscriberConnection = false',
    tests: ['test/cache/failover.test.ts']
  },
  {
    id: 'notifier-early-wake-lost',
    guarantee: 'notifier: a message arriving between waiter() and wait() is not lost',
    file: 'lib/shared/notifier.ts',
    find: 'const entry = (r: WakeReason): void => { if (settle !== null) settle(r); else early ??= r }',
    replace: 'const entry = (r: WakeReason): void => { if (settle !== null) settle(r) }',
    tests: ['test/shared/notifier-early-message.test.ts', 'test/shared/notifier.test.ts']
  },
  {
    id: 'notifier-no-reset-on-disconnect',
    guarantee: 'notifier: waiters wake (reset) when the subscriber connection drops',
    file: 'lib/shared/notifier.ts',
    find: "      this.emit('down')\n      this.#wakeAll('reset')\n",
    replace: "      this.emit('down')\n",
    tests: ['test/shared/notifier.test.ts']
  },
  {
    id: 'keys-tag-not-escaped',
    guarantee: 'a user string with braces cannot move a key out of its hash tag',
    file: 'lib/shared/keys.ts',
    find: "return /[{}%]/.test(tag) ? tag.replace(/[{}%]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase()) : tag",
    replace: 'return tag',
    tests: ['test/shared/keys.test.ts']
  },
  {
    id: 'cache-write-through-oversize-keeps-stale',
    guarantee: 'cache: a write-through whose value cannot be cached drops the old entry (no stale reads)',
    file: 'lib/cache/write.ts',
    find: '  if (payload === null) await invalidate(ctx, key)\n  else await write(ctx, key, value, o, seen, payload)\n',
    replace: '  if (value === undefined) await invalidate(ctx, key)\n  else if (payload !== null) await write(ctx, key, value, o, seen, payload)\n',
    tests: ['test/cache/value-size.test.ts']
  },
  {
    id: 'routes-on-request-ignored',
    guarantee: 'plugin routes: onRequest authentication runs before parsing and validation',
    file: 'plugins/shared/route-hooks.ts',
    find: '  if (onRequest !== undefined) out.onRequest = onRequest\n',
    replace: '  if (onRequest !== undefined) out.preHandler = onRequest\n',
    tests: ['test/shared/route-auth-hooks.test.ts']
  },
  {
    id: 'queue-get-jobs-skips-unreadable',
    guarantee: 'queue: a listing fails rather than silently leaving out a job it could not read',
    file: 'lib/queue/queue.ts',
    find: '      if (failure !== null && failure !== undefined) this.#readFailed.HGETALL(failure)\n',
    replace: '',
    tests: ['test/queue/coded-errors.test.ts']
  },
  {
    id: 'rate-limit-allow-list-matches-key-not-address',
    guarantee: 'rate limit: allow-listed addresses and ranges match the client address, not the /64 key',
    file: 'plugins/rate-limit/route-rule.ts',
    find: '  if (keys.size === 0) return request => ip(ipOf(request))\n',
    replace: '  if (keys.size === 0) return (_request, key) => ip(key)\n',
    tests: ['test/rate-limit/allow-list-ip.test.ts']
  },
  {
    id: 'duration-string-skips-range',
    guarantee: "durations: a string duration is range-checked like a number ('-5s', too long) and fails with FRP_INVALID_OPTION",
    file: 'lib/shared/options.ts',
    find: '  if (ms < min || ms > max) throw fail(',
    replace: "  if (typeof value === 'number' && (ms < min || ms > max)) throw fail(",
    tests: ['test/shared/durations.test.ts']
  },
  {
    id: 'rate-limit-refusal-skips-error-handler',
    guarantee: "a 429 reaches the app's setErrorHandler and onError hooks (the direct reply only when nothing would see the error)",
    file: 'plugins/rate-limit.ts',
    find: '      if (observed(request, statusCode)) done(limitedError(result, statusCode, h))',
    replace: '      if (false) done(limitedError(result, statusCode, h))',
    tests: ['test/rate-limit/error-handler.test.ts']
  },
  {
    id: 'rate-limit-refusal-ignores-route-schema',
    guarantee: "a route's own response schema for the refusal status shapes the refusal body",
    file: 'plugins/rate-limit.ts',
    find: '    if (configOf(request)[kOwnSchemas]?.has(status) === true) return true',
    replace: '',
    tests: ['test/rate-limit/error-handler.test.ts']
  },
  {
    id: 'memory-watch-warns-only-when-full',
    guarantee: 'the memory watch warns when used memory passes 90% of maxmemory, before Redis is full',
    file: 'lib/shared/redis-watch.ts',
    find: 'fullest.used > MEMORY_HIGH * fullest.max',
    replace: 'fullest.used > fullest.max',
    tests: ['test/shared/redis-watch.test.ts']
  },
  {
    id: 'outage-warn-per-failure',
    guarantee: 'an outage writes one warn, not one per failed call',
    file: 'plugins/shared/outage-log.ts',
    find: 'if (!this.#down && !this.#closed) {',
    replace: 'if (!this.#closed) {',
    tests: ['test/shared/outage-logs.test.ts']
  },
  {
    id: 'outage-default-error-log-kept',
    guarantee: "a Redis failure's 5xx writes no error line with a stack through Fastify's default error handler",
    file: 'plugins/shared/outage-log.ts',
    find: '    skipDefaultErrorLog(request, err)\n',
    replace: '',
    tests: ['test/shared/outage-logs.test.ts']
  },
  // --- durability ---------------------------------------------------------------------------------
  {
    id: 'durability-wait-on-any-connection',
    guarantee: 'a WAIT answered on another connection than the write (after a reconnect) never confirms it',
    file: 'lib/shared/durability.ts',
    find: 'if (w.stream === conn.stream) w.resolve()',
    replace: 'if (w.stream !== undefined) w.resolve()',
    tests: ['test/shared/durability.test.ts']
  },
  {
    id: 'durability-short-wait-confirms',
    guarantee: 'a write is acknowledged only when the replicas asked for confirmed it',
    file: 'lib/shared/durability.ts',
    find: 'if (n < d.replicas) return failAll',
    replace: 'if (n < 0) return failAll',
    tests: ['test/shared/durability.test.ts']
  },
  // --- one-time codes ----------------------------------------------------------------------------
  {
    id: 'otp-right-code-not-used-up',
    guarantee: 'a right code verifies once (single use)',
    file: 'lib/otp/verify-1.lua',
    find: "    redis.call('DEL', KEYS[1])\n    return 1",
    replace: '    return 1',
    tests: ['test/otp/issue-verify.test.ts', 'test/otp/concurrency.test.ts']
  },
  {
    id: 'otp-wrong-guess-free',
    guarantee: 'every wrong guess spends an attempt; the last one burns the code',
    file: 'lib/otp/verify-1.lua',
    find: 'local left = tonumber(string.sub(stored, 44)) - 1',
    replace: 'local left = tonumber(string.sub(stored, 44))',
    tests: ['test/otp/issue-verify.test.ts', 'test/example-app/otp-brute-force.test.ts']
  },
  {
    id: 'otp-code-stored-in-clear',
    guarantee: 'Redis holds an HMAC of the code, never the code',
    file: 'lib/otp/one-time-codes.ts',
    find: 'const digest = codeDigest(this.#keys[0], subject, code)',
    replace: "const digest = code.padEnd(43, '_')",
    tests: ['test/otp/issue-verify.test.ts']
  },
  {
    id: 'otp-cooldown-ignored',
    guarantee: 'no new code for a subject while its resend cooldown runs',
    file: 'lib/otp/issue-2.lua',
    find: 'if wait > 0 then return {0, wait} end',
    replace: 'if wait > 1e15 then return {0, wait} end',
    tests: ['test/otp/expiry-cooldown.test.ts']
  },
  // --- activity ------------------------------------------------------------------------------------
  {
    id: 'activity-user-id-unbounded',
    guarantee: 'a user id above maxUserId is refused (a huge SETBIT offset allocates up to 512 MB)',
    file: 'lib/activity/activity.ts',
    find: 'userId < 0 || userId > this.options.maxUserId',
    replace: 'userId < 0',
    tests: ['test/activity/bad-input.test.ts']
  },
  {
    id: 'activity-day-key-never-expires',
    guarantee: 'every day key expires after the retention',
    file: 'lib/activity/activity.ts',
    find: 'if (last !== undefined && now - last < EXPIRY_EVERY) return',
    replace: 'if (last !== undefined || now > 0) return',
    tests: ['test/activity/mark.test.ts']
  },
  {
    id: 'activity-union-of-one-day',
    guarantee: "a week's or month's count is the union of all its days",
    file: 'lib/activity/union-count-n.lua',
    find: 'for i = 2, #KEYS do days[#days + 1] = KEYS[i] end',
    replace: 'days[1] = KEYS[2]',
    tests: ['test/activity/counts.test.ts']
  },
  // --- dashboard ---------------------------------------------------------------------------------
  {
    id: 'dashboard-html-not-escaped',
    guarantee: 'every value a dashboard page shows is escaped (job data, member ids and session metadata are attacker-controlled)',
    file: 'plugins/dashboard/html.ts',
    find: 'return escapeHtml(String(v))',
    replace: 'return String(v)',
    tests: ['test/dashboard/escaping.test.ts']
  },
  {
    id: 'dashboard-csrf-origin-unchecked',
    guarantee: 'a change posted from another origin is refused even with a token',
    file: 'plugins/dashboard/csrf.ts',
    find: "if (site !== undefined && site !== 'same-origin') throw",
    replace: "if (site === 'never') throw",
    tests: ['test/dashboard/csrf.test.ts']
  },
  {
    id: 'dashboard-csrf-token-unchecked',
    guarantee: 'a change without the CSRF token is refused',
    file: 'plugins/dashboard/csrf.ts',
    find: 'if (expected === null) throw',
    replace: 'if (expected === null) return; if (sent === undefined) return; if (expected === null) throw',
    tests: ['test/dashboard/csrf.test.ts']
  }
]
