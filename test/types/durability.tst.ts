// The `durability` option: the same shape on the queue, the session store and the leaderboard
// (cores and plugins), and its coded error.
import { expect, test } from 'tstyche'
import type { Redis } from 'ioredis'
import {
  FRP_NOT_REPLICATED, Queue, SessionStore, Leaderboard,
  type DurabilityOptions, type QueueOptions, type SessionStoreOptions, type LeaderboardOptions,
  type RedisQueuePluginOptions, type RedisSessionOptions, type RedisLeaderboardOptions
} from '../../index.js'

declare const redis: Redis

test('DurabilityOptions: replicas and a duration timeout, both required', () => {
  expect<DurabilityOptions>().type.toBe<{ replicas: number, timeout: number | string }>()
  expect({ replicas: 1, timeout: '1s' }).type.toBeAssignableTo<DurabilityOptions>()
  expect({ replicas: 1 }).type.not.toBeAssignableTo<DurabilityOptions>()
})

test('the option on each core and plugin', () => {
  expect<QueueOptions['durability']>().type.toBe<DurabilityOptions | undefined>()
  expect<SessionStoreOptions['durability']>().type.toBe<DurabilityOptions | undefined>()
  expect<LeaderboardOptions['durability']>().type.toBe<DurabilityOptions | undefined>()
  expect<RedisSessionOptions['durability']>().type.toBe<DurabilityOptions | undefined>()
  expect({ queueOptions: { durability: { replicas: 1, timeout: 1000 } }, queues: { mail: { durability: { replicas: 2, timeout: '2s' } } } }).type.toBeAssignableTo<RedisQueuePluginOptions>()
  expect({ defaults: { durability: { replicas: 1, timeout: 1000 } } }).type.toBeAssignableTo<RedisLeaderboardOptions>()
  expect(new Queue(redis, 'q', { durability: { replicas: 1, timeout: 1000 } })).type.toBe<Queue<unknown, unknown>>()
  expect(new SessionStore(redis, { durability: { replicas: 1, timeout: '1s' } })).type.toBe<SessionStore>()
  expect(new Leaderboard(redis, 'b', { durability: { replicas: 1, timeout: 1000 } })).type.toBe<Leaderboard>()
})

test('FRP_NOT_REPLICATED: a 503 with a literal code', () => {
  const e = new FRP_NOT_REPLICATED(0, 1, 1000, '')
  expect(e.code).type.toBe<'FRP_NOT_REPLICATED'>()
  expect(e.statusCode).type.toBe<503>()
})
