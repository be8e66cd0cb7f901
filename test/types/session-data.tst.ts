// Session values typed by declaration merging (issue 18: `request.session.get<T>(name)` was
// whatever the caller asserted), and `secret: process.env.SESSION_SECRET` compiles (was TS2769).
import { expect, test } from 'tstyche'
import Fastify from 'fastify'
import { redisSession } from '../../plugins/session.js'

declare module 'fastify' {
  interface RedisSessionData {
    cart: string[]
    visits: number
  }
}

const app = Fastify()

test('secret from the environment', () => {
  expect(app.register(redisSession, { secret: process.env.SESSION_SECRET })).type.not.toRaiseError()
  expect(app.register(redisSession, {})).type.toRaiseError()
})

app.get('/', async request => {
  test('a declared name reads as its declared type', () => {
    expect(request.session.get('cart')).type.toBe<string[] | undefined>()
    expect(request.session.get('visits')).type.toBe<number | undefined>()
  })
  test('a declared name takes only its declared type', () => {
    expect(request.session.set('cart', ['sku-1'])).type.not.toRaiseError()
    expect(request.session.set('visits', undefined)).type.not.toRaiseError()
    expect(request.session.set('cart', 'sku-1')).type.toRaiseError()
    expect(request.session.set('visits', '3')).type.toRaiseError()
  })
  test('other names stay untyped, and an explicit type argument still works', () => {
    expect(request.session.get('other')).type.toBe<unknown>()
    expect(request.session.get<Date>('other')).type.toBe<Date | undefined>()
    expect(request.session.set('other', { any: 'thing' })).type.not.toRaiseError()
  })
  test('all() carries the declared names', () => {
    expect(request.session.all().cart).type.toBe<string[] | undefined>()
  })
  return {}
})
