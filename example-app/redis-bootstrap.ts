// Finds a Redis for the example app: REDIS_URL, else the conventional local one, else a
// redis-server we start ourselves (and stop when the app closes).
import { spawnSync } from 'node:child_process'
import { isRedisReachable, startRedisServer } from '../lib/dev/redis-server.js'

export interface ResolvedRedis {
  url: string
  spawned: boolean
  stop (): Promise<void>
}

export async function resolveRedis (envUrl: string | undefined): Promise<ResolvedRedis | null> {
  if (envUrl !== undefined && envUrl !== '') return { url: envUrl, spawned: false, stop: async () => {} }
  if (await isRedisReachable('127.0.0.1', 6379)) return { url: 'redis://127.0.0.1:6379', spawned: false, stop: async () => {} }
  if (spawnSync('redis-server', ['--version']).status !== 0) return null
  const server = await startRedisServer()
  return { url: server.url, spawned: true, stop: () => server.stop() }
}
