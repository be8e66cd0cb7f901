// Issue 22: the memory opt-outs, typed on the cores and the plugins: the session store's per-user
// index (`userIndex`) and the queue's attempt history (`attemptHistory`); and the lock's `burst`.
import { expect, test } from 'tstyche'
import {
  type QueueOptions, type SessionStoreOptions, type RedisQueuePluginOptions, type RedisSessionOptions,
  type LockerOptions, type LockerEvents, type RedisLockOptions
} from '../../index.js'

test('userIndex: a boolean on the store and the plugin', () => {
  expect<SessionStoreOptions['userIndex']>().type.toBe<boolean | undefined>()
  expect<RedisSessionOptions['userIndex']>().type.toBe<boolean | undefined>()
  expect({ userIndex: 'no' }).type.not.toBeAssignableTo<SessionStoreOptions>()
})

test('attemptHistory: a number on the queue and in the plugin queue options', () => {
  expect<QueueOptions['attemptHistory']>().type.toBe<number | undefined>()
  expect({ queueOptions: { attemptHistory: 0 }, queues: { mail: { attemptHistory: 5 } } }).type.toBeAssignableTo<RedisQueuePluginOptions>()
})

test('burst: a number on the Locker and the lock plugin; releaseError carries the key and an Error', () => {
  expect<LockerOptions['burst']>().type.toBe<number | undefined>()
  expect({ burst: 8 }).type.toBeAssignableTo<RedisLockOptions>()
  expect({ burst: '8' }).type.not.toBeAssignableTo<LockerOptions>()
  expect<LockerEvents['releaseError']>().type.toBe<[key: string, err: Error]>()
})
