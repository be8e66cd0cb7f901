// Bad input: user ids that are not integers from 0 to maxUserId, days that are not dates, periods
// that are not 'day' | 'week' | 'month': a coded 400 naming the argument, and nothing written.
// A huge user id must never reach SETBIT: it would allocate up to 512 MB.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { activity } from './helpers.js'

const BAD_IDS: unknown[] = [-1, 1.5, NaN, Infinity, '42', null, undefined, 2 ** 53, 1001, 2 ** 32, { id: 1 }]
const BAD_DAYS: unknown[] = ['2025-02-30', '2025-13-01', '2025/01/01', '2025-1-1', 'yesterday', '', 20250101, new Date('nope'), { y: 2025 }]

test('bad user ids, days and periods are refused before Redis sees them', async t => {
  const r = await startRedis(t)
  const redis = r.client()
  const a = activity(redis, { maxUserId: 1000 })

  for (const id of BAD_IDS) {
    const label = typeof id === 'number' ? String(id) : JSON.stringify(id) ?? String(id)
    await t.rejects(a.mark(id as number), { code: 'FRP_ACTIVITY_USER_ID', statusCode: 400, message: /between 0 and 1000/ }, `mark(${label})`)
    await t.rejects(a.isActive(id as number), { code: 'FRP_ACTIVITY_USER_ID' }, `isActive(${label})`)
    await t.rejects(a.streak(id as number), { code: 'FRP_ACTIVITY_USER_ID' }, `streak(${label})`)
  }
  t.equal(await a.mark(1000), true, 'maxUserId itself is fine')

  for (const day of BAD_DAYS) {
    const label = day instanceof Date ? 'an invalid Date' : JSON.stringify(day)
    await t.rejects(a.mark(1, day as string), { code: 'FRP_ACTIVITY_ARGUMENT', statusCode: 400, message: /"day"/ }, `mark(1, ${label})`)
    await t.rejects(a.count('day', day as string), { code: 'FRP_ACTIVITY_ARGUMENT', message: /"day"/ }, `count('day', ${label})`)
    await t.rejects(a.retention(day as string, '2025-01-01'), { code: 'FRP_ACTIVITY_ARGUMENT', message: /"first"/ }, `retention(${label}, …)`)
  }
  await t.rejects(a.retention('2025-01-01', undefined as unknown as string), { code: 'FRP_ACTIVITY_ARGUMENT', message: /"second": is required/ })

  for (const period of ['year', 'Day', '', '__proto__', 'constructor', 7, null]) {
    await t.rejects(a.count(period as 'day'), { code: 'FRP_ACTIVITY_ARGUMENT', statusCode: 400, message: /"period"/ }, `count(${JSON.stringify(period)})`)
  }
  t.strictSame(await redis.keys('*'), [a.redisKey()], 'only the one valid mark was written')
  t.ok(await redis.strlen(a.redisKey()) <= 126, 'and the bitmap is no longer than maxUserId bits')
})

test('options are validated and named', async t => {
  const r = await startRedis(t)
  const redis = r.client()
  const bad: Array<[object, RegExp]> = [
    [{ maxUserId: -1 }, /"activity\.maxUserId"/],
    [{ maxUserId: 2 ** 32 }, /"activity\.maxUserId"/],
    [{ retention: '29d' }, /"activity\.retention"/],
    [{ retention: 'forever' }, /"activity\.retention"/],
    [{ countCacheTtl: -5 }, /"activity\.countCacheTtl"/],
    [{ timeZone: 'Mars/Olympus' }, /"activity\.timeZone": is not a time zone/],
    [{ timeZone: 1 }, /"activity\.timeZone"/],
    [{ name: '' }, /"activity\.name"/],
    [{ retension: '30d' }, /"activity\.retension": unknown option/]
  ]
  for (const [opts, message] of bad) t.throws(() => activity(redis, opts as never), { code: 'FRP_INVALID_OPTION', message }, JSON.stringify(opts))
  const a = activity(redis, { retention: '1 year', countCacheTtl: '5m', timeZone: 'Europe/Paris', name: 'login' })
  t.equal(a.options.retentionDays, 365)
  t.equal(a.options.countCacheTtl, 300_000)
  t.equal(a.options.timeZone, 'Europe/Paris')
  t.match(a.redisKey('2025-01-01'), /:activity:\{login\}:2025-01-01$/)
})
