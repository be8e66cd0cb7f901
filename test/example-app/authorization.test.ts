// Attacks on the example app's authorisation (issue 15 item 8): every rule is tried by an
// anonymous client (401), by the wrong user (403, and nothing changes), then by the owner or an
// admin (2xx). Before the fix anonymous clients could PATCH any profile, PUT any product, process
// payments, send e-mail and flush counters; any member could set another member's score, read
// every e-mail job and enqueue raw jobs past /api/emails' validation; GET /api/users/:id showed
// everyone's e-mail address.
import { test } from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { startRedis, eventually, type Teardown } from '../helpers/redis.js'
import { ADA, ADMIN, GRACE, buildApp, loginAs } from '../helpers/example-app.js'

interface Who { anon: string | undefined, ada: string, grace: string, admin: string }

async function setUp (t: Teardown): Promise<{ app: FastifyInstance, who: Who }> {
  const redis = await startRedis(t)
  const app = await buildApp(t, redis.url)
  // Each from its own address: the login route allows 5 attempts per minute per IP.
  const who = {
    anon: undefined,
    ada: await loginAs(app, ADA, '10.0.1.1'),
    grace: await loginAs(app, GRACE, '10.0.1.2'),
    admin: await loginAs(app, ADMIN, '10.0.1.3')
  }
  return { app, who }
}

const as = (cookie: string | undefined, req: InjectOptions): InjectOptions =>
  ({ ...req, headers: { ...(req.headers ?? {}), ...(cookie === undefined ? {} : { cookie }) } })

test('anonymous 401, wrong user 403, owner or admin 2xx, on every protected route', async t => {
  const { app, who } = await setUp(t)
  const send = async (cookie: string | undefined, req: InjectOptions) => await app.inject(as(cookie, req))
  const expectJson = (res: { statusCode: number, json: () => { statusCode: number, message: unknown } }, code: number, what: string) => {
    t.equal(res.statusCode, code, what)
    t.equal(res.json().statusCode, code, `${what}: JSON error body`)
    t.type(res.json().message, 'string')
  }

  t.test('a profile is changed by its owner or an admin only', async t => {
    const patch = (bio: string): InjectOptions => ({ method: 'PATCH', url: '/api/users/1', payload: { bio } })
    expectJson(await send(who.anon, patch('anon was here')), 401, 'anonymous')
    expectJson(await send(who.grace, patch('grace was here')), 403, 'another member')
    t.equal((await send(who.admin, { url: '/api/users/1' })).json().bio, 'Ada writes code.', 'nothing changed')
    t.equal((await send(who.ada, patch('mine'))).statusCode, 200, 'the owner')
    t.equal((await send(who.admin, patch('moderated'))).statusCode, 200, 'an admin')
    t.equal((await send(who.ada, { url: '/api/users/1' })).json().bio, 'moderated')
  })

  t.test('products are created and changed by admins only', async t => {
    const put = (id: number, priceCents: number): InjectOptions => ({ method: 'PUT', url: `/api/products/${id}`, payload: { name: 'Free', priceCents, stock: 5 } })
    expectJson(await send(who.anon, put(1, 0)), 401, 'anonymous price change')
    expectJson(await send(who.ada, put(1, 0)), 403, 'member price change')
    expectJson(await send(who.anon, put(500, 0)), 401, 'anonymous create')
    expectJson(await send(who.ada, put(500, 0)), 403, 'member create')
    t.equal((await send(who.anon, { url: '/api/products/1' })).json().priceCents, 250, 'price unchanged')
    t.equal((await send(who.anon, { url: '/api/products/500' })).statusCode, 404, 'no row created')
    t.equal((await send(who.admin, put(1, 199))).statusCode, 200, 'admin')
    t.equal((await send(who.anon, { url: '/api/products/1' })).json().priceCents, 199)
  })

  t.test('payments are processed and read by admins only', async t => {
    const process: InjectOptions = { method: 'POST', url: '/api/payments/3/process' }
    expectJson(await send(who.anon, process), 401, 'anonymous process')
    expectJson(await send(who.ada, process), 403, 'member process')
    expectJson(await send(who.anon, { url: '/api/payments/3' }), 401, 'anonymous read')
    expectJson(await send(who.ada, { url: '/api/payments/3' }), 403, 'member read')
    t.equal((await send(who.admin, { url: '/api/payments/3' })).json().status, 'pending', 'still pending')
    t.equal((await send(who.admin, process)).json().status, 'processed', 'admin')
  })

  t.test('e-mail is sent by admins only', async t => {
    const email: InjectOptions = { method: 'POST', url: '/api/emails', payload: { to: 'victim@example.org', subject: 'Win', body: 'Click' } }
    expectJson(await send(who.anon, email), 401, 'anonymous')
    expectJson(await send(who.ada, email), 403, 'member')
    t.equal((await send(who.admin, email)).statusCode, 202, 'admin')
  })

  t.test('view counters are flushed by admins only', async t => {
    const flush: InjectOptions = { method: 'POST', url: '/api/posts/views/flush' }
    expectJson(await send(who.anon, flush), 401, 'anonymous')
    expectJson(await send(who.ada, flush), 403, 'member')
    t.equal((await send(who.admin, flush)).statusCode, 200, 'admin')
    t.equal((await send(who.anon, { method: 'POST', url: '/api/posts/1/views' })).statusCode, 202, 'counting a view stays public')
  })

  t.test('every queue route is for admins only', async t => {
    const added = await send(who.admin, { method: 'POST', url: '/api/queues/email/jobs', payload: { name: 'send-email', data: { to: 'a@example.org', subject: 's', body: 'b' } } })
    t.equal(added.statusCode, 201, 'admin enqueues a valid e-mail job')
    const id = added.json().id as string
    const routes: InjectOptions[] = [
      { method: 'POST', url: '/api/queues/email/jobs', payload: { name: 'send-email', data: { to: 'a@example.org', subject: 's', body: 'b' } } },
      { url: '/api/queues/email/jobs?state=completed' },
      { url: '/api/queues/email/counts' },
      { url: `/api/queues/email/jobs/${id}` },
      { method: 'POST', url: `/api/queues/email/jobs/${id}/retry` },
      { method: 'DELETE', url: `/api/queues/email/jobs/${id}` }
    ]
    for (const r of routes) {
      expectJson(await send(who.anon, r), 401, `anonymous ${r.method ?? 'GET'} ${r.url as string}`)
      expectJson(await send(who.ada, r), 403, `member ${r.method ?? 'GET'} ${r.url as string}`)
    }
    // Authentication runs before validation: an anonymous or non-admin client learns nothing of the schema.
    const invalidJob: InjectOptions = { method: 'POST', url: '/api/queues/email/jobs', payload: { data: 1 } }
    expectJson(await send(who.anon, invalidJob), 401, 'anonymous invalid job')
    expectJson(await send(who.ada, invalidJob), 403, 'member invalid job')
    t.equal((await send(who.admin, invalidJob)).statusCode, 400, 'an admin gets the validation error')
    t.equal((await send(who.admin, { url: `/api/queues/email/jobs/${id}` })).statusCode, 200, 'the job is still there')
    t.equal((await send(who.admin, { url: '/api/queues/email/counts' })).statusCode, 200, 'admin reads counts')
  })

  t.test('a member sets only their own score, through the game route', async t => {
    const forged: InjectOptions = { method: 'POST', url: '/api/leaderboards/alltime/scores', payload: { member: 'user:2', score: 999_999 } }
    expectJson(await send(who.anon, forged), 401, 'anonymous raw score')
    expectJson(await send(who.anon, { ...forged, payload: { member: 'user:2', score: 'lots' } }), 401, 'anonymous invalid score: 401, not 400')
    expectJson(await send(who.ada, forged), 403, "a member setting another member's score")
    expectJson(await send(who.ada, { method: 'DELETE', url: '/api/leaderboards/alltime/members/user:2' }), 403, 'a member removing another')
    t.equal((await send(who.anon, { url: '/api/leaderboards/alltime/members/user:2' })).statusCode, 404, 'user:2 has no score')
    // The game route takes the member from the session and names no member in its body.
    t.equal((await send(who.ada, { method: 'POST', url: '/api/games/g1/finish', payload: { score: 50, member: 'user:2' } })).statusCode, 400, 'no member field')
    expectJson(await send(who.anon, { method: 'POST', url: '/api/games/g1/finish', payload: { score: 50 } }), 401, 'anonymous game')
    const played = await send(who.ada, { method: 'POST', url: '/api/games/g1/finish', payload: { score: 50 } })
    t.equal(played.statusCode, 200)
    t.equal(played.json().player, 'user:1', "Ada's score is Ada's")
    t.equal((await send(who.anon, { url: '/api/leaderboards/alltime/members/user:1' })).json().score, 50)
    t.equal((await send(who.anon, { url: '/api/leaderboards/alltime/members/user:2' })).statusCode, 404, 'still nothing for user:2')
    t.equal((await send(who.admin, forged)).statusCode, 200, 'an admin may set any score (moderation)')
  })

  t.test('/api/me and session management need a session', async t => {
    expectJson(await send(who.anon, { url: '/api/me' }), 401, '/api/me')
    expectJson(await send(who.anon, { url: '/api/me/sessions' }), 401, '/api/me/sessions')
    expectJson(await send(who.anon, { method: 'POST', url: '/api/me/sessions/logout-all' }), 401, 'logout-all')
  })
})

test('e-mail addresses are not in public user reads; the owner and admins see them', async t => {
  const { app, who } = await setUp(t)
  const read = async (cookie: string | undefined, url = '/api/users/1') => await app.inject(as(cookie, { url }))

  const first = await read(who.anon)
  t.equal(first.statusCode, 200)
  t.notOk('email' in first.json(), 'anonymous: no e-mail')
  t.equal(first.json().name, 'Ada')
  t.notOk('email' in (await read(who.grace)).json(), 'another member: no e-mail')
  t.equal((await read(who.ada)).json().email, ADA.email, 'the owner sees hers')
  t.equal((await read(who.admin)).json().email, ADA.email, 'an admin sees it')
  // The owner's answer was not cached for others (cookie requests bypass the response cache).
  const cached = await read(who.anon)
  t.equal(cached.headers['x-cache'], 'HIT')
  t.notOk('email' in cached.json(), 'anonymous after the owner: still no e-mail')
  t.notOk(JSON.stringify((await read(who.anon, '/api/users/1/profile')).json()).includes('@'), 'profile: no e-mail')
  t.notOk(JSON.stringify((await read(who.anon, '/api/users/11')).json()).includes('@'), 'nor the admin\'s')
})

test('a raw job on the email queue must pass the /api/emails schema', async t => {
  const { app, who } = await setUp(t)
  const enqueue = async (data: unknown) => await app.inject(as(who.admin, { method: 'POST', url: '/api/queues/email/jobs', payload: { name: 'send-email', data } }))
  const cases: Array<[unknown, RegExp]> = [
    [{ to: 'not-an-email', subject: 's', body: 'b' }, /body\/data\/to must match format "email"/],
    [{ to: 'a@example.org', subject: '', body: 'b' }, /body\/data\/subject/],
    [{ to: 'a@example.org', subject: 's' }, /body\/data must have required property 'body'/],
    [{ to: 'a@example.org', subject: 's', body: 'b', bcc: 'everyone@example.org' }, /body\/data must NOT have additional properties/],
    [{ to: 'a@example.org', subject: 's', body: 'x'.repeat(10_001) }, /body\/data\/body/],
    [undefined, /body\/data must be object/]
  ]
  for (const [data, message] of cases) {
    const res = await enqueue(data)
    t.equal(res.statusCode, 400, JSON.stringify(data)?.slice(0, 80) ?? 'no data')
    t.match(res.json().message, message)
  }
  const counts = (await app.inject(as(who.admin, { url: '/api/queues/email/counts' }))).json()
  t.equal(counts.waiting + counts.delayed + counts.active + counts.completed + counts.failed, 0, 'nothing enqueued')
  // Retried like /api/emails' jobs: the simulated provider fails some first attempts.
  const ok = await app.inject(as(who.admin, {
    method: 'POST',
    url: '/api/queues/email/jobs',
    payload: { name: 'send-email', data: { to: 'grace@example.com', subject: 'Hi', body: 'Hello' }, opts: { attempts: 3, backoff: { type: 'fixed', delay: 50 } } }
  }))
  t.equal(ok.statusCode, 201, 'a valid e-mail job is accepted')
  await eventually(async () => (await app.inject('/api/emails/sent')).json().sent === 1, { ms: 10_000, what: 'the worker sent it' })
  t.pass('the worker sent the valid job')

  // Regression (issue 20's closing note): a schedule on the email queue went around the schema, so
  // every tick would have handed the worker data it never validated.
  const schedule = async (data: unknown) => await app.inject(as(who.admin, { method: 'PUT', url: '/api/queues/email/schedules/digest', payload: { every: 3_600_000, name: 'send-email', data } }))
  for (const [data, message] of cases) {
    const res = await schedule(data)
    t.equal(res.statusCode, 400, `schedule: ${JSON.stringify(data)?.slice(0, 80) ?? 'no data'}`)
    t.match(res.json().message, message)
  }
  t.strictSame((await app.inject(as(who.admin, { url: '/api/queues/email/schedules' }))).json().schedules, [], 'no schedule stored')
  t.equal((await schedule({ to: 'grace@example.com', subject: 'Digest', body: 'Hello' })).statusCode, 200, 'a valid one is stored')
})
