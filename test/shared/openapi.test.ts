// The OpenAPI document @fastify/swagger builds from the routes the plugins mount. Regression for
// issue 18 item 4: the queue routes had no tags, summaries or responses beyond a default 200 (the
// docs list 201/204/404/409), no route declared 429 or 503, and the document declared OpenAPI
// 3.0.3 while its schemas used `propertyNames`, a keyword OpenAPI 3.0 does not have (swagger
// tooling refused the document).
import { test, type Test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import fastifyRedis from '@fastify/redis'
import fastifySwagger from '@fastify/swagger'
import SwaggerParser from '@apidevtools/swagger-parser'
import type { Redis } from 'ioredis'
import { startRedis, eventually } from '../helpers/redis.js'
import { redisQueue } from '../../plugins/queue.js'
import { redisLeaderboard } from '../../plugins/leaderboard.js'
import { redisRateLimit } from '../../plugins/rate-limit.js'

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
const requireKey: Hook = async (request, reply) => {
  if (request.headers.authorization !== 'Bearer ok') return await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'log in' })
}

/** Every plugin that mounts routes, with its routes on (and `auth` as their onRequest hook when given). */
async function documentedApp (t: { teardown: (fn: () => unknown) => void }, client: Redis, auth?: Hook): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(fastifyRedis, { client, closeClient: false })
  await app.register(fastifySwagger, { openapi: { openapi: '3.0.3', info: { title: 'fastify-redis-patterns', version: '0.0.0' } } })
  await app.register(redisRateLimit, { limit: 1000, window: 60_000 })
  const hooks = auth === undefined ? {} : { onRequest: auth }
  await app.register(redisQueue, { queueOptions: { prefix: `oa${process.pid}` }, queues: ['email'], routes: { ...hooks } })
  await app.register(redisLeaderboard, { boards: { alltime: {} }, routes: { ...hooks } })
  await app.ready()
  return app
}

type Statuses = number[]
/** What each operation can answer besides 429 (every route is rate limited) and 401/403 (auth hooks). */
const expected: Record<string, { statuses: Statuses, protectedByHook: boolean }> = {
  'post /queues/{queue}/jobs': { statuses: [200, 201, 400, 404, 413, 415, 503], protectedByHook: true },
  'get /queues/{queue}/jobs': { statuses: [200, 400, 404, 503], protectedByHook: true },
  'get /queues/{queue}/counts': { statuses: [200, 400, 404, 503], protectedByHook: true },
  'get /queues/{queue}/jobs/{id}': { statuses: [200, 400, 404, 503], protectedByHook: true },
  'post /queues/{queue}/jobs/{id}/retry': { statuses: [200, 400, 404, 409, 503], protectedByHook: true },
  'delete /queues/{queue}/jobs/{id}': { statuses: [204, 400, 404, 409, 503], protectedByHook: true },
  'get /queues/{queue}/schedules': { statuses: [200, 400, 404, 503], protectedByHook: true },
  'get /queues/{queue}/schedules/{id}': { statuses: [200, 400, 404, 503], protectedByHook: true },
  'put /queues/{queue}/schedules/{id}': { statuses: [200, 400, 404, 413, 415, 503], protectedByHook: true },
  'delete /queues/{queue}/schedules/{id}': { statuses: [204, 400, 404, 503], protectedByHook: true },
  'post /leaderboards/{board}/scores': { statuses: [200, 400, 404, 413, 415, 503], protectedByHook: true },
  'get /leaderboards/{board}/top': { statuses: [200, 400, 404, 503], protectedByHook: false },
  'get /leaderboards/{board}/members/{member}': { statuses: [200, 400, 404, 422, 503], protectedByHook: false },
  'get /leaderboards/{board}/members/{member}/around': { statuses: [200, 400, 404, 503], protectedByHook: false },
  'delete /leaderboards/{board}/members/{member}': { statuses: [200, 400, 404, 503], protectedByHook: true },
  'get /leaderboards/{board}/by-score': { statuses: [200, 400, 404, 503], protectedByHook: false },
  'get /leaderboards/players/{member}': { statuses: [200, 400, 503], protectedByHook: false },
  'delete /leaderboards/players/{member}': { statuses: [200, 400, 503], protectedByHook: true }
}

// JSON Schema keywords that OpenAPI 3.0's Schema Object does not have (most are 2019-09/2020-12,
// the dialect of OpenAPI 3.1).
const NOT_OPENAPI_30 = new Set(['propertyNames', 'const', 'contains', 'if', 'then', 'else', 'prefixItems', 'dependentRequired',
  'dependentSchemas', 'dependencies', 'unevaluatedProperties', 'unevaluatedItems', 'patternProperties', '$defs', 'definitions',
  '$id', '$schema', '$anchor', 'additionalItems', 'contentMediaType', 'contentEncoding'])

/** Where a schema of the document uses a keyword OpenAPI 3.0 lacks, a type array or an `examples` array. */
function nonOpenApi30 (node: unknown, path: string, found: string[], inSchema = false): void {
  if (node === null || typeof node !== 'object') return
  if (Array.isArray(node)) { node.forEach((v, i) => nonOpenApi30(v, `${path}/${i}`, found, inSchema)); return }
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const at = `${path}/${k}`
    const isSchemaHere = inSchema || k === 'schema'
    if (inSchema && NOT_OPENAPI_30.has(k)) found.push(at)
    if (inSchema && k === 'type' && typeof v !== 'string') found.push(at)
    if (inSchema && k === 'examples' && Array.isArray(v)) found.push(at)
    if (inSchema && k === 'properties' && v !== null && typeof v === 'object') {
      // Property names are not keywords: walk each property's schema.
      for (const [name, s] of Object.entries(v as Record<string, unknown>)) nonOpenApi30(s, `${at}/${name}`, found, true)
      continue
    }
    nonOpenApi30(v, at, found, k === 'schema' ? true : isSchemaHere)
  }
}

interface Operation { tags?: string[], summary?: string, description?: string, responses?: Record<string, { description?: string, content?: Record<string, { schema?: unknown }> }> }

function checkDocument (t: Test, spec: Record<string, unknown>, withHooks: boolean): void {
  const paths = spec.paths as Record<string, Record<string, Operation>>
  const seen: string[] = []
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const id = `${method} ${path}`
      seen.push(id)
      const want = expected[id]
      if (want === undefined) { t.fail(`${id}: a route the test does not know`); continue }
      const tag = path.startsWith('/queues') ? 'queue' : 'leaderboard'
      t.strictSame(op.tags, [tag], `${id}: tagged ${tag}`)
      t.ok(typeof op.summary === 'string' && op.summary.length > 0, `${id}: has a summary`)
      t.ok(typeof op.description === 'string' && op.description.length > 0, `${id}: has a description`)
      const statuses = [...want.statuses, 429]
      if (withHooks && want.protectedByHook) statuses.push(401, 403)
      const responses = op.responses ?? {}
      t.strictSame(Object.keys(responses).map(Number).sort(), statuses.sort(), `${id}: documents ${statuses.join(', ')}`)
      for (const [status, response] of Object.entries(responses)) {
        t.ok(typeof response.description === 'string' && response.description.length > 0 && response.description !== 'Default Response',
          `${id} ${status}: says when it is sent`)
        if (status === '204') { t.equal(response.content, undefined, `${id} 204: no content`); continue }
        const schema = response.content?.['application/json']?.schema as Record<string, unknown> | undefined
        t.equal(schema?.type, 'object', `${id} ${status}: a JSON object schema`)
        if (Number(status) >= 400) {
          t.match(schema?.properties, { statusCode: { type: 'integer' }, code: { type: 'string' }, error: { type: 'string' }, message: { type: 'string' } },
            `${id} ${status}: the error schema`)
        }
      }
    }
  }
  t.strictSame(seen.sort(), Object.keys(expected).sort(), 'every mounted route is in the document')
}

for (const withHooks of [false, true]) {
  test(`every mounted route is documented as valid OpenAPI 3.0 (${withHooks ? 'with' : 'without'} an onRequest hook)`, async t => {
    const client = (await startRedis(t)).client()
    const app = await documentedApp(t, client, withHooks ? requireKey : undefined)
    const spec = app.swagger() as unknown as Record<string, unknown>
    t.equal(spec.openapi, '3.0.3')

    const found: string[] = []
    nonOpenApi30(spec, '', found)
    t.strictSame(found, [], 'no keyword OpenAPI 3.0 lacks (propertyNames, const, type arrays, ...)')
    await t.resolves(SwaggerParser.validate(structuredClone(spec) as never), 'a valid OpenAPI 3.0 document')
    checkDocument(t, spec, withHooks)
  })
}

test('an unknown body key is still a 400 on the queue route (not silently stripped)', async t => {
  const client = (await startRedis(t)).client()
  const app = await documentedApp(t, client)
  for (const payload of [{ name: 'a', color: 'red' }, { name: 'a', opts: { color: 'red' } }, { name: 'a', opts: { backoff: { type: 'fixed', delay: 1, color: 'red' } } }]) {
    const res = await app.inject({ method: 'POST', url: '/queues/email/jobs', payload })
    t.equal(res.statusCode, 400, JSON.stringify(payload))
    t.match(res.json(), { statusCode: 400, code: 'FST_ERR_VALIDATION', message: /color/ }, 'the message names the key')
  }
  t.equal((await app.inject({ url: '/queues/email/jobs?color=red' })).statusCode, 400, 'an unknown query key too')
  t.match((await app.queue('email').counts()), { waiting: 0 }, 'nothing was added')
  const ok = await app.inject({ method: 'POST', url: '/queues/email/jobs', payload: { name: 'a', opts: { removeOnComplete: { count: 1 } } } })
  t.equal(ok.statusCode, 201, 'known keys pass')
})

test('the success schemas drop nothing the handlers return', async t => {
  const client = (await startRedis(t)).client()
  const app = await documentedApp(t, client)
  const queue = app.queue('email')
  await queue.add('send', { to: 'a@b', tags: ['x'] }, { jobId: 'job-a', attempts: 1, backoff: { type: 'fixed', delay: 5, jitter: 0.5 } })
  await queue.add('later', 1, { delay: 60_000 })
  queue.process(async job => { await job.updateProgress({ step: 1 }); throw new Error('nope') })
  await eventually(async () => (await queue.counts()).failed === 1)

  const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v))
  const failed = await app.inject({ url: '/queues/email/jobs/job-a' })
  t.strictSame(failed.json(), plain(await queue.getJob('job-a')), 'a failed job: history, failedReason, progress, backoff')
  const list = await app.inject({ url: '/queues/email/jobs?state=delayed' })
  t.strictSame(list.json(), { jobs: plain(await queue.getJobs('delayed')) }, 'a delayed job: delayUntil, backoff null')
  t.strictSame((await app.inject({ url: '/queues/email/counts' })).json(), plain(await queue.counts()))

  const board = app.leaderboard('alltime')
  await board.submit('ada', 10, { meta: { name: 'Ada' } })
  const member = await app.inject({ url: '/leaderboards/alltime/members/ada?dense=true' })
  t.strictSame(member.json(), { board: 'alltime', period: null, ...plain(await board.info('ada', { meta: true, dense: true })) as object }, 'period null, meta kept')
})
