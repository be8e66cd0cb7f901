// Route-config callbacks get a request they can use under `strict` without casts (issue 18: the
// README's `tags: req => [`user:${req.params.id}`]` failed with TS18046), and accept a parameter
// annotated with the route's own request type.
import { expect, test } from 'tstyche'
import Fastify, { type FastifyRequest } from 'fastify'
import '../../plugins/cache.js'
import '../../plugins/rate-limit.js'
import '../../plugins/lock.js'
import type { RouteRequest } from '../../index.js'

const app = Fastify()

test('config.cache key and tags: unannotated callbacks read params and query', () => {
  expect(app.get('/users/:id', { config: { cache: { ttl: 60_000, tags: req => [`user:${req.params.id}`], key: req => `u:${req.params.id}:${req.query.v}` } } }, async () => ({}))).type.not.toRaiseError()
})

test("config.cache key: a callback annotated with the route's own request type is accepted", () => {
  expect(app.get<{ Params: { id: number } }>('/n/:id', {
    config: { cache: { key: (req: FastifyRequest<{ Params: { id: number } }>) => `n:${req.params.id.toFixed(0)}` } }
  }, async () => ({}))).type.not.toRaiseError()
})

test('config.cache tags must return strings', () => {
  expect(app.get('/t', { config: { cache: { tags: () => [1, 2] } } }, async () => ({}))).type.toRaiseError()
})

test('config.rateLimit keyGenerator, cost and allowList callbacks', () => {
  expect(app.get('/r', {
    config: { rateLimit: { limit: 5, window: '1m', keyGenerator: req => String(req.query.apiKey), cost: req => Number(req.query.n ?? 1), allowList: (req, key) => req.ip === '127.0.0.1' || key === 'admin' } }
  }, async () => ({}))).type.not.toRaiseError()
  expect(app.get('/r2', { config: { rateLimit: { limit: 5, window: 1000, keyGenerator: () => 42 } } }, async () => ({}))).type.toRaiseError()
})

test('config.lock key', () => {
  expect(app.post('/orders/:id/pay', { config: { lock: { key: req => `order:${req.params.id}` } } }, async () => ({}))).type.not.toRaiseError()
  expect(app.post('/x', { config: { lock: { key: () => 1 } } }, async () => ({}))).type.toRaiseError()
})

test('RouteRequest is a FastifyRequest with untyped params, query and body', () => {
  expect<RouteRequest>().type.toBeAssignableTo<FastifyRequest>()
  expect<RouteRequest['params']>().type.toBe<any>()
})
