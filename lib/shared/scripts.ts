// The one loader for Lua scripts. Each pattern keeps its scripts beside its code as
// `<name>-<numberOfKeys>.lua` (the BullMQ convention: the key count is in the file name, so the
// call site cannot disagree with it). Scripts are read and hashed once per process and sent as
// EVALSHA, falling back to EVAL on NOSCRIPT, so a Redis restart (script cache gone) is invisible
// to callers.
//
// We do not use ioredis `defineCommand`: every pipeline ioredis builds (and with auto-pipelining
// that is every batch of every command of the app) copies each defined script onto itself. With
// the scripts of six patterns on one shared client that cost ~3 µs per request, on routes that run
// no script at all. Instead `install` adds a plain method per script to the client instance.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Redis, Cluster } from 'ioredis'

export type RedisClient = Redis | Cluster

export interface ScriptSet<Name extends string> {
  /** Runs script `name` with `keys` and `args`; registers the scripts on `redis` on first use. */
  run<T = unknown> (redis: RedisClient, name: Name, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<T>
  /** The name of the method `install` adds to a client for script `name`: `redis[command](...keys, ...args)`. */
  command (name: Name): string
  /** Adds one method per script to `redis` (idempotent). */
  install (redis: RedisClient): void
  readonly names: readonly Name[]
}

const installed = new WeakMap<object, Set<string>>()

interface ScriptDef { command: string, numberOfKeys: number, lua: string, sha: string }

type Evaluator = (...a: Array<string | number | Buffer>) => Promise<unknown>

function isNoScript (err: unknown): boolean {
  return typeof (err as Error)?.message === 'string' && (err as Error).message.includes('NOSCRIPT')
}

/** EVALSHA, then EVAL once if the server has not seen the script (after a restart or failover). */
function evaluate<T> (redis: RedisClient, def: ScriptDef, keysAndArgs: ReadonlyArray<string | number | Buffer>): Promise<T> {
  const r = redis as unknown as { evalsha: Evaluator, eval: Evaluator }
  return r.evalsha(def.sha, def.numberOfKeys, ...keysAndArgs).catch((err: unknown) => {
    if (!isNoScript(err)) throw err
    return r.eval(def.lua, def.numberOfKeys, ...keysAndArgs)
  }) as Promise<T>
}

function pascal (s: string): string {
  return s.split(/[^a-zA-Z0-9]+/).filter(Boolean).map(p => p[0].toUpperCase() + p.slice(1)).join('')
}

/**
 * Loads every `*.lua` file of `dir` (a directory URL, usually `new URL('.', import.meta.url)` or a
 * `scripts/` folder beside the pattern) as the script set of `pattern`.
 */
export function loadScripts<Name extends string = string> (pattern: string, dir: URL): ScriptSet<Name> {
  const path = fileURLToPath(dir)
  const defs = new Map<string, ScriptDef>()
  for (const file of readdirSync(path).sort()) {
    const m = /^([a-z][a-z0-9-]*?)-(\d+)\.lua$/.exec(file)
    if (m === null) continue
    const [, name, keys] = m
    const lua = readFileSync(new URL(file, dir), 'utf8')
    defs.set(name, {
      command: `frp${pascal(pattern)}${pascal(name)}`,
      numberOfKeys: Number(keys),
      lua,
      sha: createHash('sha1').update(lua).digest('hex')
    })
  }
  if (defs.size === 0) throw new Error(`no Lua scripts found in ${path}`)

  function install (redis: RedisClient): void {
    let done = installed.get(redis)
    if (done === undefined) installed.set(redis, (done = new Set()))
    if (done.has(pattern)) return
    const target = redis as unknown as Record<string, unknown>
    for (const def of defs.values()) {
      target[def.command] = (...keysAndArgs: Array<string | number | Buffer>) => evaluate(redis, def, keysAndArgs)
    }
    done.add(pattern)
  }

  function def (name: string): ScriptDef {
    const d = defs.get(name)
    if (d === undefined) throw new Error(`unknown ${pattern} script "${name}"`)
    return d
  }

  return {
    names: [...defs.keys()] as Name[],
    install,
    command: name => def(name).command,
    run<T> (redis: RedisClient, name: Name, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<T> {
      const d = def(name)
      if (keys.length !== d.numberOfKeys) {
        return Promise.reject(new Error(`${pattern} script "${name}" takes ${d.numberOfKeys} keys, got ${keys.length}`))
      }
      return evaluate<T>(redis, d, [...keys, ...args])
    }
  }
}
