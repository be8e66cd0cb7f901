// The root export's shared types: coded errors with literal codes and status codes, Duration,
// RateLimitedError, RouteRequest.
import { expect, test } from 'tstyche'
import { FRP_RATE_LIMITED, FRP_INVALID_OPTION, isFrpError, type Duration, type RateLimitedError, type RouteRequest } from '../../index.js'
import type { FastifyRequest } from 'fastify'

test('coded errors carry their code and status code as literals', () => {
  expect(new FRP_RATE_LIMITED('p', 1).code).type.toBe<'FRP_RATE_LIMITED'>()
  expect(new FRP_INVALID_OPTION('x', 'y').code).type.toBe<'FRP_INVALID_OPTION'>()
  expect(new FRP_RATE_LIMITED('p', 1)).type.toBeAssignableTo<Error>()
})

test('isFrpError narrows to an Error with a string code', () => {
  const e: unknown = null
  if (isFrpError(e)) expect(e.code).type.toBe<string>()
})

test('Duration is ms or a string', () => {
  expect<Duration>().type.toBe<number | string>()
})

test('RateLimitedError', () => {
  expect<RateLimitedError['code']>().type.toBe<'FRP_RATE_LIMITED'>()
  expect<RateLimitedError['retryAfterMs']>().type.toBe<number>()
  expect<RateLimitedError>().type.toBeAssignableTo<Error>()
})

test('RouteRequest', () => {
  expect<RouteRequest>().type.toBeAssignableTo<FastifyRequest>()
})
