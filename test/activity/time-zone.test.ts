// Days are UTC dates by default; with `timeZone` a Date (and "today") falls on its date in that
// zone, and the day keys live a day longer (a zone's day can end after UTC's).
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { activity } from './helpers.js'

test('a Date falls on its UTC date by default, on its local date with timeZone', async t => {
  const r = await startRedis(t)
  const redis = r.client()
  const late = new Date('2025-01-01T23:30:00Z')
  const utc = activity(redis)
  const tokyo = activity(redis, { timeZone: 'Asia/Tokyo' })
  const honolulu = activity(redis, { timeZone: 'Pacific/Honolulu' })
  t.match(utc.redisKey(late), /:2025-01-01$/)
  t.match(tokyo.redisKey(late), /:2025-01-02$/, 'UTC+9: already the 2nd')
  t.match(honolulu.redisKey(late), /:2025-01-01$/)
  t.match(honolulu.redisKey(new Date('2025-01-02T05:00:00Z')), /:2025-01-01$/, 'UTC-10: still the 1st')
  t.match(tokyo.redisKey('2025-03-04'), /:2025-03-04$/, "a 'YYYY-MM-DD' day is that date in any zone")
  const now = new Date()
  t.equal(tokyo.today(), new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(now), "today is Tokyo's date")

  await utc.mark(1)
  await tokyo.mark(1)
  const endUtc = Number(await redis.call('PEXPIRETIME', utc.redisKey()))
  const endTokyo = Number(await redis.call('PEXPIRETIME', tokyo.redisKey()))
  const dayStart = (day: string): number => Date.parse(day + 'T00:00:00Z')
  t.equal(endUtc - dayStart(utc.today()), 86_400_000 + 90 * 86_400_000, 'UTC: the day, then the retention')
  t.equal(endTokyo - dayStart(tokyo.today()), 2 * 86_400_000 + 90 * 86_400_000, 'a time zone: a day of slack')
})
