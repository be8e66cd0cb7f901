// The one-time codes plugin as TypeScript users see it: options, the decorator and its results.
import { describe, expect, test } from 'tstyche'
import Fastify from 'fastify'
import {
  redisOtp, FRP_OTP_COOLDOWN,
  type OneTimeCodes, type IssuedCode, type OtpVerifyResult, type OtpResult, type OtpCooldownError
} from '../../index.js'

const app = Fastify()
const SECRET = 'a-secret-of-at-least-thirty-two-bytes!'

describe('redisOtp', () => {
  test('options', () => {
    expect(app.register(redisOtp, { secret: SECRET, ttl: '5m', attempts: 5, cooldown: 60_000, alphabet: '0123456789', length: 6 })).type.not.toRaiseError()
    expect(app.register(redisOtp, { secret: [SECRET, Buffer.from(SECRET)] })).type.not.toRaiseError()
    expect(app.register(redisOtp, { ttl: '5m' })).type.toRaiseError()
    expect(app.register(redisOtp, { secret: SECRET, atempts: 5 })).type.toRaiseError()
    expect(app.register(redisOtp, { secret: SECRET, ttl: true })).type.toRaiseError()
  })
  test('decorator', () => {
    expect(app.otp).type.toBe<OneTimeCodes>()
    expect(app.otp.issue('a@example.com', { ttl: '10m' })).type.toBe<Promise<IssuedCode>>()
    expect(app.otp.verify('a@example.com', '123456')).type.toBe<Promise<OtpVerifyResult>>()
    expect<OtpVerifyResult['result']>().type.toBe<OtpResult>()
    expect<OtpResult>().type.toBe<'ok' | 'wrong' | 'expired' | 'exhausted'>()
    expect(app.otp.verify('a', 123456)).type.toRaiseError()
  })
  test('the cooldown error', () => {
    expect<OtpCooldownError['code']>().type.toBe<'FRP_OTP_COOLDOWN'>()
    expect<OtpCooldownError['retryAfterMs']>().type.toBe<number>()
    expect(new FRP_OTP_COOLDOWN(1).statusCode).type.toBe<429>()
  })
  test('events', () => {
    expect(app.otp.on('verified', (subject: string, result: OtpResult, left: number) => {})).type.not.toRaiseError()
    expect(app.otp.on('issued', (subject: string, expiresAt: string) => {})).type.toRaiseError()
  })
})
