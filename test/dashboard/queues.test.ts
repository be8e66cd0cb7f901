// The queues section: its JSON API (with schemas: a bad query is a 400 naming the field), its pages
// (counts, cursor paging, a job's detail) and its actions, through the JSON API and through the
// pages' forms (a 303 back to the page with a fixed flash message; the dangerous ones need their
// confirmation box).
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { startRedis, eventually, type Teardown } from '../helpers/redis.js'
import { redisQueue } from '../../plugins/queue.js'
import { admin, dashboardApp, type AdminSession } from './fixtures/app.js'
import type { Queue } from '../../lib/queue/queue.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

async function setUp (t: Teardown): Promise<{ app: FastifyInstance, s: AdminSession, q: Queue<unknown, unknown> }> {
  const client = (await startRedis(t)).client()
  const app = await dashboardApp(t, client, async a => { await a.register(redisQueue, { queueOptions: { prefix: `dq${process.pid}` }, queues: ['email'] }) }, { pageSize: 10 })
  return { app, s: await admin(app), q: app.queue('email') }
}

async function failJobs (q: Queue<unknown, unknown>, n: number): Promise<string[]> {
  const added = await q.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'send', data: { i }, opts: { attempts: 1 } })))
  const w = q.process(async () => { throw new Error('smtp down') })
  await eventually(async () => (await q.counts()).failed === n, { ms: 20_000 })
  await w.close()
  return added.map(a => a.id)
}

test('JSON API: queues, counts, a page of jobs with its cursor, a job, throughput', async t => {
  const { app, s, q } = await setUp(t)
  await q.addBulk(Array.from({ length: 15 }, (_, i) => ({ name: 'send', data: { i } })))
  const get = async (url: string) => await app.inject({ url, headers: s.headers })
  t.strictSame((await get('/dashboard/api/queues')).json(), { queues: [{ name: 'email', counts: { waiting: 15, delayed: 0, active: 0, completed: 0, failed: 0, paused: false } }] })
  t.equal((await get('/dashboard/api/queues/email')).json().counts.waiting, 15)
  const p1 = (await get('/dashboard/api/queues/email/jobs?state=waiting')).json()
  t.equal(p1.jobs.length, 10, 'pageSize by default')
  t.type(p1.next, 'string')
  const p2 = (await get(`/dashboard/api/queues/email/jobs?state=waiting&cursor=${encodeURIComponent(p1.next)}`)).json()
  t.equal(p2.jobs.length, 5)
  t.equal(p2.next, null)
  t.strictSame([...p1.jobs, ...p2.jobs].map((j: { id: string }) => j.id), Array.from({ length: 15 }, (_, i) => String(i + 1)))
  const job = (await get('/dashboard/api/queues/email/jobs/3')).json()
  t.match(job, { id: '3', name: 'send', data: { i: 2 }, state: 'waiting' })
  const tp = (await get('/dashboard/api/queues/email/throughput?minutes=10')).json()
  t.equal(tp.minutes.length, 10)
  t.match(tp.minutes[0], { at: Number, completed: 0, failed: 0 })
})

test('JSON API: unknown queue or job 404, bad query 400 naming the field', async t => {
  const { app, s } = await setUp(t)
  const get = async (url: string) => await app.inject({ url, headers: s.headers })
  t.equal((await get('/dashboard/api/queues/nope')).json().code, 'FRP_QUEUE_NOT_FOUND')
  t.equal((await get('/dashboard/api/queues/email/jobs/404')).json().code, 'FRP_JOB_NOT_FOUND')
  for (const [url, field] of [['/dashboard/api/queues/email/jobs?state=lost', 'state'], ['/dashboard/api/queues/email/jobs?limit=0', 'limit'],
    ['/dashboard/api/queues/email/throughput?minutes=1000', 'minutes']]) {
    const res = await get(url)
    t.equal(res.statusCode, 400, url)
    t.match(res.json().message, field)
  }
  t.equal((await get('/dashboard/api/queues/email/jobs?cursor=garbage')).statusCode, 400, 'a malformed cursor')
  const page = await app.inject({ url: '/dashboard/queues/nope', headers: { ...s.headers, accept: 'text/html' } })
  t.equal(page.statusCode, 404, 'a page of an unknown queue')
  t.match(page.headers['content-type'], 'text/html', 'as a page, for a browser')
  t.equal((await get('/dashboard/queues/nope')).json().code, 'FRP_QUEUE_NOT_FOUND', 'as JSON for a script')
})

test('pages: the queues table, a queue with its counts, chart slot, actions and paging, a job in full', async t => {
  const { app, s, q } = await setUp(t)
  const [id] = await failJobs(q, 12)
  const list = await app.inject({ url: '/dashboard/queues', headers: s.headers })
  t.match(list.body, '<a href="/dashboard/queues/email?state=failed">12</a>')
  const page = await app.inject({ url: '/dashboard/queues/email?state=failed', headers: s.headers })
  t.match(page.body, 'data-chart="throughput" data-src="/dashboard/api/queues/email/throughput"')
  t.match(page.body, '<strong>12</strong> failed', 'the hour\'s totals without JavaScript')
  t.equal([...page.body.matchAll(/href="\/dashboard\/queues\/email\/jobs\//g)].length, 10, 'one page of 10 jobs')
  const next = /rel="next" href="([^"]+)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&')
  t.ok(next, 'a next page link')
  const page2 = await app.inject({ url: String(next), headers: s.headers })
  t.equal([...page2.body.matchAll(/href="\/dashboard\/queues\/email\/jobs\//g)].length, 2)
  t.match(page2.body, 'First page')
  const detail = await app.inject({ url: `/dashboard/queues/email/jobs/${id}`, headers: s.headers })
  t.match(detail.body, 'smtp down', 'the error')
  t.match(detail.body, 'Error: smtp down', 'the stack of the attempt')
  t.match(detail.body, '&quot;i&quot;: 0', 'the data')
  t.match(detail.body, `action="/dashboard/queues/email/jobs/${id}/retry"`, 'a Retry form')
})

test('actions through the forms: retry, promote, remove (confirmed), pause and resume, retry all, clean', async t => {
  const { app, s, q } = await setUp(t)
  const ids = await failJobs(q, 3)
  const form = async (url: string, fields: Record<string, string> = {}) => await app.inject({
    method: 'POST', url, headers: { ...s.headers, ...FORM }, payload: new URLSearchParams({ _csrf: s.token, ...fields }).toString()
  })
  const retried = await form(`/dashboard/queues/email/jobs/${ids[0]}/retry`)
  t.equal(retried.statusCode, 303)
  t.equal(retried.headers.location, `/dashboard/queues/email/jobs/${ids[0]}?done=job-retry`)
  t.equal((await q.getJob(ids[0]))?.state, 'waiting')
  const flash = await app.inject({ url: String(retried.headers.location), headers: s.headers })
  t.match(flash.body, '<p class="flash" role="status">Job moved back to waiting.</p>')

  const again = await app.inject({ method: 'POST', url: `/dashboard/queues/email/jobs/${ids[0]}/retry`, headers: { ...s.headers, ...FORM, accept: 'text/html' }, payload: `_csrf=${s.token}` })
  t.equal(again.statusCode, 409, 'retrying a waiting job')
  t.match(again.body, 'cannot be retried: it is waiting')

  const unconfirmed = await form(`/dashboard/queues/email/jobs/${ids[1]}/remove`)
  t.equal(unconfirmed.statusCode, 400, 'remove without its confirmation box')
  t.not(await q.getJob(ids[1]), null, 'still there')
  t.equal((await form(`/dashboard/queues/email/jobs/${ids[1]}/remove`, { confirm: 'yes' })).statusCode, 303)
  t.equal(await q.getJob(ids[1]), null, 'removed')

  const delayed = await q.add('later', 1, { delay: 3_600_000 })
  t.equal((await form(`/dashboard/queues/email/jobs/${delayed.id}/promote`)).statusCode, 303)
  t.equal((await q.getJob(delayed.id))?.state, 'waiting')

  t.equal((await form('/dashboard/queues/email/pause')).statusCode, 303)
  t.equal(await q.isPaused(), true)
  t.match((await app.inject({ url: '/dashboard/queues/email', headers: s.headers })).body, 'action="/dashboard/queues/email/resume"', 'the page offers Resume')
  t.equal((await form('/dashboard/queues/email/resume')).statusCode, 303)
  t.equal(await q.isPaused(), false)

  t.equal((await form('/dashboard/queues/email/retry-failed')).statusCode, 400, 'retry all needs its confirmation')
  t.equal((await form('/dashboard/queues/email/retry-failed', { confirm: 'yes' })).headers.location, '/dashboard/queues/email?state=waiting&done=queue-retry-failed')
  t.equal((await q.counts()).failed, 0)
})

test('actions through the JSON API: results, 404 and 409, and clean by age', async t => {
  const { app, s, q } = await setUp(t)
  const ids = await failJobs(q, 4)
  const post = async (url: string, payload?: object) => await app.inject({ method: 'POST', url, headers: s.headers, ...(payload === undefined ? {} : { payload }) })
  t.strictSame((await post(`/dashboard/api/queues/email/jobs/${ids[0]}/retry`)).json(), { ok: true, message: 'Job moved back to waiting.', result: {} })
  t.equal((await post('/dashboard/api/queues/email/jobs/404/retry')).statusCode, 404)
  t.equal((await post(`/dashboard/api/queues/email/jobs/${ids[0]}/promote`)).statusCode, 409, 'promoting a waiting job')
  t.equal((await post('/dashboard/api/queues/email/clean', { state: 'failed', ageMinutes: 60 })).json().result.removed, 0, 'none is an hour old')
  const bad = await post('/dashboard/api/queues/email/clean', { state: 'active', ageMinutes: 0 })
  t.equal(bad.statusCode, 400, 'cleaning active jobs is not offered')
  t.equal((await post('/dashboard/api/queues/email/clean', { state: 'failed', ageMinutes: 0 })).json().result.removed, 3)
  t.equal((await q.counts()).failed, 0)
  t.equal((await post('/dashboard/api/queues/email/retry-failed')).json().result.retried, 0)
})
