// The one loader for Lua scripts. Each pattern keeps its scripts beside its code as
// `<name>-<numberOfKeys>.lua` (the BullMQ convention: the key count is in the file name, so the
// call site cannot disagree with it). Scripts are read once per process, and registered with
// ioredis `defineCommand` once per client; ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT,
// so a Redis restart (script cache gone) is invisible to callers.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Redis, Cluster } from 'ioredis'

export type RedisClient = Redis | Cluster

export interface ScriptSet<Name extends string> {
  /** Runs script `name` with `keys` and `args`; registers the scripts on `redis` on first use. */
  run<T = unknown> (redis: RedisClient, name: Name, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<T>
  /** The ioredis command name of `name` (for pipelines: `pipeline[set.command(name)](...)`). */
  command (name: Name): string
  /** Registers every script of the set on `redis` (idempotent). */
  install (redis: RedisClient): void
  readonly names: readonly Name[]
}

const installed = new WeakMap<object, Set<string>>()

function pascal (s: string): string {
  return s.split(/[^a-zA-Z0-9]+/).filter(Boolean).map(p => p[0].toUpperCase() + p.slice(1)).join('')
}

/**
 * Loads every `*.lua` file of `dir` (a directory URL, usually `new URL('.', import.meta.url)` or a
 * `scripts/` folder beside the pattern) as the script set of `pattern`.
 */
export function loadScripts<Name extends string = string> (pattern: string, dir: URL): ScriptSet<Name> {
  const path = fileURLToPath(dir)
  const defs = new Map<string, { command: string, numberOfKeys: number, lua: string }>()
  for (const file of readdirSync(path).sort()) {
    const m = /^([a-z][a-z0-9-]*?)-(\d+)\.lua$/.exec(file)
    if (m === null) continue
    const [, name, keys] = m
    defs.set(name, {
      command: `frp${pascal(pattern)}${pascal(name)}`,
      numberOfKeys: Number(keys),
      lua: readFileSync(new URL(file, dir), 'utf8')
    })
  }
  if (defs.size === 0) throw new Error(`no Lua scripts found in ${path}`)

  function install (redis: RedisClient): void {
    let done = installed.get(redis)
    if (done === undefined) installed.set(redis, (done = new Set()))
    if (done.has(pattern)) return
    for (const def of defs.values()) {
      redis.defineCommand(def.command, { numberOfKeys: def.numberOfKeys, lua: def.lua })
    }
    done.add(pattern)
  }

  function def (name: string): { command: string, numberOfKeys: number } {
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
      install(redis)
      return (redis as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[d.command](...keys, ...args)
    }
  }
}
