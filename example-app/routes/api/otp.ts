// Passwordless login by one-time code: POST /otp/request mails a 6-digit code (through the e-mail
// queue), POST /otp/verify checks it and logs the user in. Guessing is bounded three ways: 5 wrong
// guesses burn a code, a subject gets a new code at most once a minute, and the verify route is
// rate limited per IP and per e-mail address.
import type { FastifyInstance } from 'fastify'
import type { OtpCooldownError } from '../../../lib/otp/one-time-codes.js'
import type { Email } from '../../schemas/email.js'

const emailField = { type: 'string', format: 'email', minLength: 3, maxLength: 254 } as const
const tooMany = (retryAfterMs: number, message: string) => ({ statusCode: 429, error: 'Too Many Requests', message, retryAfterMs })

export default async function otp (fastify: FastifyInstance, _opts: object): Promise<void> {
  const queue = fastify.queue<Email>('email')
  // 10 guesses per 15 minutes per address, whatever IPs they come from.
  const perAddress = fastify.rateLimit.rule({ limit: 10, window: 15 * 60_000 })

  fastify.post<{ Body: { email: string } }>('/otp/request', {
    config: { rateLimit: { limit: 5, window: 60_000 } }, // per IP
    schema: { body: { type: 'object', required: ['email'], additionalProperties: false, properties: { email: emailField } } }
  }, async (request, reply) => {
    const email = request.body.email.toLowerCase()
    // A code is issued for any address (the cooldown then answers alike for every address), but
    // sent only to an account: the answer never tells whether the address has one.
    let code: string
    try {
      ({ code } = await fastify.otp.issue(`login:${email}`))
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'FRP_OTP_COOLDOWN') throw err
      const { retryAfterMs } = err as OtpCooldownError
      reply.header('retry-after', Math.ceil(retryAfterMs / 1000))
      return await reply.code(429).send(tooMany(retryAfterMs, 'A code was sent less than a minute ago'))
    }
    if (fastify.repos.users.credentials(email) !== undefined) {
      // The simulated mailer sends nothing anyone can read: outside production, the log shows the code.
      if (process.env.NODE_ENV !== 'production') request.log.info({ to: email }, `login code ${code} (development only: not logged in production)`)
      // The job holds the code until it is sent: removed once done, so it does not linger in Redis.
      await queue.add('send-email', { to: email, subject: 'Your login code', body: `Your login code is ${code}. It expires in 5 minutes.` },
        { attempts: 3, backoff: { type: 'exponential', delay: 200, jitter: 0.2 }, removeOnComplete: true })
    }
    return await reply.code(202).send({ sent: true, expiresInMs: fastify.otp.options.ttl })
  })

  fastify.post<{ Body: { email: string, code: string } }>('/otp/verify', {
    config: { rateLimit: { limit: 10, window: 60_000 } }, // per IP
    schema: {
      body: {
        type: 'object',
        required: ['email', 'code'],
        additionalProperties: false,
        properties: { email: emailField, code: { type: 'string', pattern: '^[0-9]{6}$' } }
      }
    }
  }, async (request, reply) => {
    const email = request.body.email.toLowerCase()
    const limited = await fastify.rateLimit.check(`otp:${email}`, perAddress)
    if (!limited.allowed) {
      reply.header('retry-after', Math.ceil(limited.retryAfterMs / 1000))
      return await reply.code(429).send(tooMany(limited.retryAfterMs, 'Too many attempts for this address'))
    }
    const { result, attemptsLeft } = await fastify.otp.verify(`login:${email}`, request.body.code)
    const user = result === 'ok' ? fastify.repos.users.credentials(email) : undefined
    if (user === undefined) {
      const message = result === 'exhausted' ? 'Too many wrong codes: request a new one' : result === 'wrong' ? 'Wrong code' : 'No valid code: request one'
      return await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message, result: result === 'ok' ? 'expired' : result, attemptsLeft })
    }
    // New session id (the anonymous one is destroyed: no fixation), indexed under the user.
    await request.session.setUser(String(user.id))
    return { userId: user.id }
  })
}
