// Repeatable jobs: queue.schedule(id, { every } | { cron, tz }, job). Exactly one job per tick
// however many Queue objects run the schedule, schedules surviving a restart, missed ticks by
// policy ('once', 'all'), idempotent registration, and bad input refused before anything is
// written. Time is Redis time, polled with deadlines: no sleeps, no timing assertions.
import { test } from 'tap'
import type { Cluster, Redis } from 'ioredis'
import { Queue } from '../../lib/queue/queue.js'
import { startTopology, topologies, eventually } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'

let n = 0
const queueName = (): string => `sched-${process.pid}-${++n}`
const prefix = `t${process.pid}`

async function redisNow (redis: Redis | Cluster, key: string): Promise<number> {
  // TIME of the node holding the queue's slot (a Cluster's nodes may disagree by a few ms).
  const node = 'nodes' in redis && typeof redis.nodes === 'function' ? await nodeOf(redis as Cluster, key) : redis as Redis
  const [s, us] = await node.time()
  return Number(s) * 1000 + Math.floor(Number(us) / 1000)
}
async function nodeOf (cluster: Cluster, key: string): Promise<Redis> {
  const slot = Number(await cluster.cluster('KEYSLOT', key))
  const slots = await cluster.cluster('SLOTS') as unknown as Array<[number, number, [string, number]]>
  const [, , [host, port]] = slots.find(([a, b]) => slot >= a && slot <= b)!
  return cluster.nodes('master').find(n => n.options.port === port && (n.options.host === host || host === '127.0.0.1'))!
}

/** The tick times of a queue's jobs made by schedule `id`, sorted. */
async function ticksOf (q: Queue, id: string): Promise<number[]> {
  const jobs = [...await q.getJobs('waiting', { limit: 1000 }), ...await q.getJobs('completed', { limit: 1000 }), ...await q.getJobs('active', { limit: 1000 })]
  return jobs.filter(j => j.id.startsWith(`repeat:${id}:`)).map(j => Number(j.id.slice(`repeat:${id}:`.length))).sort((a, b) => a - b)
}

function contiguous (ticks: number[], step: number): boolean {
  return ticks.every((t, i) => i === 0 || t - ticks[i - 1] === step)
}

for (const topology of topologies()) {
  test(`schedules (${topology})`, async t => {
    const h = await startTopology(t, topology)
    const redis = h.client()

    await t.test('four instances running one schedule: exactly one job per tick, each processed once', async t => {
      const name = queueName()
      const queues = [0, 1, 2, 3].map(() => makeQueue(t, h.client(), { scheduleInterval: 10 }, name))
      const claims: number[] = []
      const processed = new Map<string, number>()
      for (const q of queues) {
        q.on('scheduled', (id, tick, jobIds) => { if (id === 'beat') { claims.push(tick); t.equal(jobIds.length >= 1, true) } })
        await q.schedule('beat', { every: 200 }, { name: 'beat', data: { n: 1 }, opts: { removeOnComplete: true }, missed: 'all' })
        q.process(async job => { processed.set(job.id, (processed.get(job.id) ?? 0) + 1) }, { concurrency: 2, blockTimeout: 50 })
      }
      await eventually(() => processed.size >= 6, { ms: 30_000, what: 'six ticks processed' })
      await Promise.all(queues.map(q => q.close()))
      const ticks = [...processed.keys()].map(id => Number(id.split(':')[2])).sort((a, b) => a - b)
      t.ok([...processed.values()].every(c => c === 1), 'every tick processed once')
      t.ok(ticks.every(x => x % 200 === 0), 'ticks are aligned to the interval')
      t.ok(contiguous(ticks, 200), `no tick skipped or doubled: ${ticks.join(',')}`)
      t.equal(new Set(claims).size, claims.length, 'each tick claimed by one instance only')
    })

    await t.test('registering again is idempotent; a change restarts from the next tick; list and remove', async t => {
      const q = makeQueue(t, redis, { runSchedules: false }, queueName())
      const a = await q.schedule('nightly', { cron: '0 3 * * *', tz: 'Asia/Tokyo' }, { name: 'rollup', data: { board: 'weekly' } })
      const b = await q.schedule('nightly', { cron: '0 3 * * *', tz: 'Asia/Tokyo' }, { name: 'rollup', data: { board: 'weekly' } })
      t.equal(b.next, a.next, 'the same schedule keeps its next tick')
      const hour = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tokyo', hour: 'numeric', hourCycle: 'h23' }).format(a.next)
      t.equal(hour, '03', 'the next tick is 03:00 in Tokyo')
      t.ok(a.next > Date.now() - 60_000 && a.next <= Date.now() + 86_400_000 + 60_000, 'within the next day')
      t.match(a, { id: 'nightly', cron: '0 3 * * *', tz: 'Asia/Tokyo', name: 'rollup', data: { board: 'weekly' }, missed: 'once' })
      const c = await q.schedule('nightly', { every: '1h' }, { name: 'rollup' })
      t.equal(c.next % 3_600_000, 0, 'changed to an hourly interval: the next whole hour')
      await q.schedule('other', { every: 1000 }, { name: 'x', opts: { priority: 3 } })
      t.strictSame((await q.getSchedules()).map(s => [s.id, s.every ?? s.cron]), [['nightly', 3_600_000], ['other', 1000]])
      t.match(await q.getSchedule('other'), { id: 'other', every: 1000, opts: { priority: 3 } })
      await q.removeSchedule('other')
      t.equal(await q.getSchedule('other'), null)
      await t.rejects(q.removeSchedule('other'), { code: 'FRP_SCHEDULE_NOT_FOUND', statusCode: 404 })
      t.equal(await q.counts().then(c => c.waiting + c.delayed), 0, 'no loop ran: no job')
    })

    await t.test('schedules survive a restart: a new queue object resumes them without schedule()', async t => {
      const name = queueName()
      const before = makeQueue(t, h.client(), { scheduleInterval: 10 }, name)
      await before.schedule('pulse', { every: 200 }, { name: 'pulse' })
      await eventually(async () => (await ticksOf(before, 'pulse')).length >= 1, { ms: 20_000, what: 'a first tick' })
      await before.close()
      const lastBefore = Math.max(...await ticksOf(before, 'pulse'))
      const after = makeQueue(t, h.client(), { scheduleInterval: 10 }, name)
      after.runSchedules()
      await eventually(async () => Math.max(...await ticksOf(after, 'pulse')) > lastBefore, { ms: 20_000, what: 'a tick after the restart' })
      t.strictSame((await after.getSchedules()).map(s => s.id), ['pulse'])
    })

    for (const missed of ['once', 'all'] as const) {
      await t.test(`missed ticks while nothing ran the schedule: '${missed}'`, async t => {
        const name = queueName()
        const idle = makeQueue(t, h.client(), { runSchedules: false }, name)
        const s = await idle.schedule('catch-up', { every: 100 }, { name: 'c', missed })
        const key = `${prefix}:queue:{${name}}:schedule-next`
        await eventually(async () => await redisNow(redis, key) >= s.next + 500, { ms: 20_000, what: 'five ticks missed' })
        const runner = makeQueue(t, h.client(), { scheduleInterval: 60_000 }, name)
        const claimed = new Promise<[number, string[]]>(resolve => runner.once('scheduled', (_id, tick, ids) => resolve([tick, ids])))
        runner.runSchedules()
        const [tick, ids] = await claimed
        const now = await redisNow(redis, key)
        t.equal(tick, s.next, 'the claim starts at the first missed tick')
        const ticks = await ticksOf(runner, 'catch-up')
        if (missed === 'once') {
          t.strictSame(ticks, [s.next], 'one job for all the missed ticks')
        } else {
          t.ok(ticks.length >= 6, `one job per missed tick (${ticks.length})`)
          t.equal(ticks[0], s.next)
          t.ok(contiguous(ticks, 100), 'every missed tick')
        }
        t.equal(ids.length, ticks.length)
        const next = (await runner.getSchedule('catch-up'))!.next
        t.ok(next > ticks[ticks.length - 1] && next <= now + 100, 'then resumes at the next tick after now')
      })
    }

    await t.test('cron with seconds and a time zone ticks on whole seconds', async t => {
      const q = makeQueue(t, h.client(), { scheduleInterval: 10 }, queueName())
      await q.schedule('sec', { cron: '* * * * * *', tz: 'Europe/Paris' }, { name: 's' })
      await eventually(async () => (await ticksOf(q, 'sec')).length >= 2, { ms: 20_000, what: 'two cron ticks' })
      const ticks = await ticksOf(q, 'sec')
      t.ok(ticks.every(x => x % 1000 === 0), `whole seconds: ${ticks.join(',')}`)
      t.ok(ticks[1] > ticks[0], 'one job per second, each its own tick')
    })

    await t.test('bad input is FRP_SCHEDULE_INVALID naming the field, and nothing is written', async t => {
      const name = queueName()
      const q = makeQueue(t, redis, { runSchedules: false }, name)
      const cases: Array<[string, unknown, unknown, unknown, string]> = [
        ['malformed cron', 'ok', { cron: '61 * * * *' }, { name: 'x' }, 'cron'],
        ['cron with too few fields', 'ok', { cron: '* * *' }, { name: 'x' }, 'cron'],
        ['cron that never runs', 'ok', { cron: '0 0 30 2 *' }, { name: 'x' }, 'cron'],
        ['unknown tz', 'ok', { cron: '0 3 * * *', tz: 'Mars/Olympus' }, { name: 'x' }, 'tz'],
        ['tz on an interval', 'ok', { every: 1000, tz: 'UTC' }, { name: 'x' }, 'tz'],
        ['every and cron', 'ok', { every: 1000, cron: '* * * * *' }, { name: 'x' }, 'every'],
        ['neither', 'ok', {}, { name: 'x' }, 'every'],
        ['every below 100 ms', 'ok', { every: 10 }, { name: 'x' }, 'every'],
        ['every not a duration', 'ok', { every: 'soon' }, { name: 'x' }, 'every'],
        ['unknown timing field', 'ok', { every: 1000, at: 5 }, { name: 'x' }, 'at'],
        ['bad id', 'a b', { every: 1000 }, { name: 'x' }, 'id'],
        ['empty id', '', { every: 1000 }, { name: 'x' }, 'id'],
        ['no job name', 'ok', { every: 1000 }, {}, 'name'],
        ['jobId in opts', 'ok', { every: 1000 }, { name: 'x', opts: { jobId: 'j' } }, 'opts.jobId'],
        ['delay in opts', 'ok', { every: 1000 }, { name: 'x', opts: { delay: 5 } }, 'opts.delay'],
        ['unknown missed policy', 'ok', { every: 1000 }, { name: 'x', missed: 'skip' }, 'missed']
      ]
      for (const [what, id, timing, job, field] of cases) {
        await t.rejects(q.schedule(id as string, timing as never, job as never), { code: 'FRP_SCHEDULE_INVALID', statusCode: 400, message: new RegExp(`"${field.replace('.', '\\.')}"`) }, what)
      }
      await t.rejects(q.schedule('ok', { every: 1000 }, { name: 'x', opts: { priority: -1 } }), { code: 'FRP_JOB_INVALID', message: /priority/ })
      t.strictSame(await q.getSchedules(), [], 'nothing was written')
    })
  })
}
