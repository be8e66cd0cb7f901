// The activity plugin as TypeScript users see it: options, the decorator and its results.
import { describe, expect, test } from 'tstyche'
import Fastify from 'fastify'
import { redisActivity, type Activity, type ActivityStreak, type ActivityRetention } from '../../index.js'

const app = Fastify()

describe('redisActivity', () => {
  test('options', () => {
    expect(app.register(redisActivity, { maxUserId: 1e6, retention: '90d', countCacheTtl: 0, timeZone: 'Europe/Paris', track: () => 1 })).type.not.toRaiseError()
    expect(app.register(redisActivity, { track: request => request.headers['x-user'] === undefined ? null : 1 })).type.not.toRaiseError()
    expect(app.register(redisActivity, { track: () => 'ada' })).type.toRaiseError()
    expect(app.register(redisActivity, { retension: '90d' })).type.toRaiseError()
  })
  test('decorator', () => {
    expect(app.activity).type.toBe<Activity>()
    expect(app.activity.mark(1)).type.toBe<Promise<boolean>>()
    expect(app.activity.mark(1, new Date())).type.not.toRaiseError()
    expect(app.activity.mark('1')).type.toRaiseError()
    expect(app.activity.isActive(1, '2025-01-01')).type.toBe<Promise<boolean>>()
    expect(app.activity.count('week')).type.toBe<Promise<number>>()
    expect(app.activity.count('year')).type.toRaiseError()
    expect(app.activity.streak(1)).type.toBe<Promise<ActivityStreak>>()
    expect(app.activity.retention('2025-01-01', '2025-01-08')).type.toBe<Promise<ActivityRetention>>()
    expect(app.activity.on('marked', (userId: number, day: string, first: boolean) => {})).type.not.toRaiseError()
  })
})
