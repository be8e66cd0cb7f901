// queue.drain({ delayed: false }) (docs/queue.md): removes every waiting job and keeps the delayed
// ones, records included; drain() with the default removes both.
import { test } from 'tap'
import { startRedis } from '../helpers/redis.js'
import { makeQueue } from './helpers.js'

test('drain({ delayed: false }) removes waiting jobs and keeps delayed ones', async t => {
  const client = (await startRedis(t)).client()
  const q = makeQueue<number>(t, client)
  const waiting = await q.addBulk(Array.from({ length: 3 }, (_, i) => ({ name: 'now', data: i })))
  const later = [await q.add('later', 1, { delay: 600_000 }), await q.add('later', 2, { delay: 600_000 })]

  t.equal(await q.drain({ delayed: false }), 3, 'returns how many it removed')
  t.match(await q.counts(), { waiting: 0, delayed: 2 })
  for (const { id } of waiting) t.equal(await q.getJob(id), null, `waiting job ${id} and its record are gone`)
  for (const { id } of later) t.equal((await q.getJob(id))?.state, 'delayed', `delayed job ${id} is kept`)
  t.strictSame((await q.getJobs('delayed')).map(j => j.id), later.map(j => j.id))

  t.equal(await q.drain(), 2, 'the default drains the delayed jobs too')
  t.match(await q.counts(), { waiting: 0, delayed: 0 })
  for (const { id } of later) t.equal(await q.getJob(id), null)
})
