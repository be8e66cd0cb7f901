// The one loader for Lua scripts. Each pattern keeps its scripts beside its code as
// `<name>-<numberOfKeys>.lua` (the BullMQ convention: the key count is in the file name, so the
// call site cannot disagree with it). Files are read once per process. A script whose key count
// varies per call is named `<name>-n.lua`: run() passes keys.length, and a bind()/bindRaw() call
// passes the key count as its first argument (`call(2, key1, key2, arg1, ...)`).
//
// Scripts run as plain EVALSHA commands, falling back to EVAL when the server answers NOSCRIPT
// (a fresh or restarted Redis, a failed-over replica), so an empty script cache is invisible to
// callers. We deliberately do not use ioredis `defineCommand`: ioredis copies every defined script
// onto every pipeline it builds, and with auto-pipelining that is every event-loop tick — a cost
// that grows with each pattern registered on the client and is paid by every request.
//
// A script may pull in shared Lua with a line `--@include "<file>.lua"`; included files start with
// `_` so they are never loaded as scripts themselves.
import { readdirSync, readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Command, type Cluster, type Redis } from 'ioredis'
import { isCluster, type RedisClient } from './connection.js'

type Arg = string | number | Buffer

export interface ScriptSet<Name extends string> {
  /** Runs script `name` with `keys` and `args`. */
  run<T = unknown> (redis: RedisClient, name: Name, keys: readonly string[], args: readonly Arg[]): Promise<T>
  /**
   * A function that runs `name` on `redis` with its keys then its arguments, flat
   * (`call(key1, key2, arg1, ...)`): for hot paths, no per-call lookups or arrays. An argument
   * may be an array (ioredis flattens command arguments), e.g. precomputed trailing arguments.
   */
  bind<T = unknown> (redis: RedisClient, name: Name): (...keysThenArgs: Array<Arg | readonly Arg[]>) => Promise<T>
  /**
   * bind() without its NOSCRIPT fallback layer, for the hottest paths: `call` returns ioredis's
   * own promise (one promise and one microtask fewer per call than bind()). The caller passes any
   * rejection of `call` to `recover` with the same arguments: it runs the script with EVAL when
   * the error is NOSCRIPT and rejects with the error otherwise.
   *
   * `direct` (standalone clients): the call goes to the connection at once, never through ioredis
   * auto-pipelining. For calls that already coalesce many operations (a batch): auto-pipelining
   * would hold them until the next event-loop turn and behind any pipeline still awaiting its
   * replies (it keeps one in flight per connection), which is latency the batch has already paid.
   */
  bindRaw<T = unknown> (redis: RedisClient, name: Name, options?: { direct?: boolean }): RawScript<T>
  /** The Lua source of `name` after includes (for tests and tooling). */
  source (name: Name): string
  readonly names: readonly Name[]
}

export interface RawScript<T> {
  readonly call: (...keysThenArgs: Array<Arg | readonly Arg[]>) => Promise<T>
  readonly recover: (err: unknown, ...keysThenArgs: Array<Arg | readonly Arg[]>) => Promise<T>
}

/** numberOfKeys -1: variable, given per call (a `-n.lua` file). */
interface Definition { numberOfKeys: number, lua: string, sha: string }

type Evaluator = (...args: Array<Arg | readonly Arg[]>) => Promise<unknown>

const INCLUDE = /^--@include "(_[a-z0-9-]+\.lua)"[ \t]*$/gm
const HAS_INCLUDE = /^--@include /m

function isNoScript (err: unknown): boolean {
  return typeof (err as Error)?.message === 'string' && (err as Error).message.startsWith('NOSCRIPT')
}

function withIncludes (lua: string, dir: URL, file: string): string {
  return lua.replace(INCLUDE, (_, name: string) => {
    const included = readFileSync(new URL(name, dir), 'utf8')
    if (HAS_INCLUDE.test(included)) throw new Error(`${file}: included ${name} may not include other files`)
    return included.trimEnd()
  })
}

/**
 * `def` on `redis` as a RawScript: `call` is one EVALSHA; `recover` answers a NOSCRIPT rejection by
 * sending the source once with EVAL (which caches it). The numkeys argument is fixed here, except
 * for a variable-key script (`-n.lua`), whose caller passes it first.
 */
function raw<T> (redis: RedisClient, def: Definition, direct = false): RawScript<T> {
  const r: { evalsha: Evaluator, eval: Evaluator } = direct && !isCluster(redis)
    ? { evalsha: (...a) => send(redis as Redis, 'evalsha', a), eval: (...a) => send(redis as Redis, 'eval', a) }
    : redis as unknown as { evalsha: Evaluator, eval: Evaluator }
  // A variable-key script's caller passes numkeys itself: an empty array, which ioredis's
  // argument flattening drops, takes its place here.
  const numkeys: number | [] = def.numberOfKeys < 0 ? [] : def.numberOfKeys
  return {
    call: (...a) => r.evalsha(def.sha, numkeys, ...a) as Promise<T>,
    recover: (err, ...a) => {
      if (isNoScript(err)) return r.eval(def.lua, numkeys, ...a) as Promise<T>
      if (isCluster(redis) && isRedirection(err)) return resend<T>(redis, def, [numkeys, ...a], err)
      return Promise.reject(err)
    }
  }
}

// Refusals of a Cluster node that mean "not executed, ask again": the slot moved (MOVED), is
// moving (ASK), the script's keys are split by a migration in progress (TRYAGAIN), or has no
// master yet (CLUSTERDOWN). ioredis follows them for a command sent alone, but not for one that
// rode in an auto-pipelined batch whose other commands succeeded: the refusal reaches us.
// Also when ioredis gave up following them itself ("Too many Cluster redirections. Last error:
// ReplyError: TRYAGAIN …"): a migration slower than its 16 quick retries, on a loaded machine.
const REDIRECTION = /^(?:Too many Cluster redirections\. Last error: (?:ReplyError: )?)?(ASK|MOVED|TRYAGAIN|CLUSTERDOWN) /
const RESEND_ATTEMPTS = 20

function isRedirection (err: unknown): boolean {
  return typeof (err as Error)?.message === 'string' && REDIRECTION.test((err as Error).message)
}

function redirectionKind (err: unknown): string {
  return REDIRECTION.exec((err as Error).message)?.[1] ?? ''
}

/**
 * Sends a refused script again, alone (outside auto-pipelining, so ioredis follows ASK and MOVED
 * and retries TRYAGAIN and CLUSTERDOWN itself), pausing between rounds the way
 * recommendedClusterOptions() does. Safe: a redirected command was not executed. Bounded by
 * RESEND_ATTEMPTS; the caller's command bound usually ends the wait first.
 */
async function resend<T> (cluster: Cluster, def: Definition, args: Array<Arg | readonly Arg[]>, first: unknown): Promise<T> {
  let err = first
  for (let attempt = 0; attempt < RESEND_ATTEMPTS && isRedirection(err); attempt++) {
    const kind = redirectionKind(err)
    const pause = kind === 'TRYAGAIN' ? 50 : kind === 'CLUSTERDOWN' ? 100 : 0
    if (pause > 0) await new Promise(resolve => setTimeout(resolve, pause))
    try {
      try {
        return await sendTo(cluster, 'evalsha', [def.sha, ...args]) as T
      } catch (e) {
        if (!isNoScript(e)) throw e
        return await sendTo(cluster, 'eval', [def.lua, ...args]) as T
      }
    } catch (e) {
      err = e
    }
  }
  throw err
}

/** One command sent on its own through a Cluster client (routed and redirected by ioredis). */
function sendTo (cluster: Cluster, name: string, args: Array<Arg | readonly Arg[]>): Promise<unknown> {
  return cluster.sendCommand(new Command(name, args.flat() as Arg[], { keyPrefix: cluster.options.keyPrefix })) as Promise<unknown>
}

/** One command written straight to the connection (no auto-pipelining), as ioredis's own methods build it. */
function send (redis: Redis, name: string, args: Array<Arg | readonly Arg[]>): Promise<unknown> {
  const options = { keyPrefix: redis.options.keyPrefix, errorStack: redis.options.showFriendlyErrorStack === true ? new Error() : undefined }
  return redis.sendCommand(new Command(name, args as Arg[], options)) as Promise<unknown>
}

/** Runs a RawScript with its NOSCRIPT fallback. */
function evaluate<T> (script: RawScript<T>, args: Array<Arg | readonly Arg[]>): Promise<T> {
  return script.call(...args).catch((err: unknown) => script.recover(err, ...args))
}

/**
 * Loads every `*.lua` file of `dir` (a directory URL, usually `new URL('.', import.meta.url)`) as
 * the script set of `pattern`.
 */
export function loadScripts<Name extends string = string> (pattern: string, dir: URL): ScriptSet<Name> {
  const path = fileURLToPath(dir)
  const defs = new Map<string, Definition>()
  for (const file of readdirSync(path).sort()) {
    const m = /^([a-z][a-z0-9-]*?)-(\d+|n)\.lua$/.exec(file)
    if (m === null) continue
    const lua = withIncludes(readFileSync(new URL(file, dir), 'utf8'), dir, file)
    defs.set(m[1], { numberOfKeys: m[2] === 'n' ? -1 : Number(m[2]), lua, sha: createHash('sha1').update(lua).digest('hex') })
  }
  if (defs.size === 0) throw new Error(`no Lua scripts found in ${path}`)

  function def (name: string): Definition {
    const d = defs.get(name)
    if (d === undefined) throw new Error(`unknown ${pattern} script "${name}"`)
    return d
  }

  return {
    names: [...defs.keys()] as Name[],
    source: name => def(name).lua,
    bind<T> (redis: RedisClient, name: Name) {
      const script = raw<T>(redis, def(name))
      return (...keysThenArgs: Array<Arg | readonly Arg[]>) => evaluate(script, keysThenArgs)
    },
    bindRaw<T> (redis: RedisClient, name: Name, options?: { direct?: boolean }): RawScript<T> {
      return raw<T>(redis, def(name), options?.direct === true)
    },
    run<T> (redis: RedisClient, name: Name, keys: readonly string[], args: readonly Arg[]): Promise<T> {
      const d = def(name)
      if (d.numberOfKeys < 0) return evaluate(raw<T>(redis, d), [keys.length, ...keys, ...args])
      if (keys.length !== d.numberOfKeys) {
        return Promise.reject(new Error(`${pattern} script "${name}" takes ${d.numberOfKeys} keys, got ${keys.length}`))
      }
      return evaluate(raw<T>(redis, d), [...keys, ...args])
    }
  }
}
