// E-mails are sent by a queue worker in this process: POST /emails enqueues a `send-email` job
// (retried with backoff when the simulated provider fails), and the worker records each send in
// SQLite, idempotently by job id, since a job can run more than once (at-least-once).
// Sending is for admins (an open endpoint would mail anyone anything from our domain).
import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../../auth/hooks.js'
import { emailSchema, type Email } from '../../schemas/email.js'

export default async function emails (fastify: FastifyInstance, _opts: object): Promise<void> {
  const queue = fastify.queue<Email>('email')
  const failureRate = Number(process.env.EMAIL_FAILURE_RATE ?? 0.2)

  // Simulated provider: fails the first send of some e-mails (per job id, in this process) so the
  // retries are visible, and so a job that failed for good succeeds when an operator retries it
  // from the dashboard. Bounded: ids leave the set once sent, and it never holds more than 10,000.
  const tried = new Set<string>()
  queue.process(async job => {
    if (!tried.has(job.id)) {
      if (tried.size >= 10_000) tried.clear()
      tried.add(job.id)
      if (Math.random() < failureRate) throw new Error('simulated SMTP failure')
    }
    fastify.repos.emails.record(job.id, job.data.to, job.data.subject, job.attemptsMade + 1)
    tried.delete(job.id)
    return { delivered: true }
  }, { concurrency: 5 })

  fastify.post<{ Body: Email }>('/emails', {
    onRequest: requireAdmin,
    schema: { body: emailSchema }
  }, async (request, reply) => {
    const added = await queue.add('send-email', request.body, { attempts: 3, backoff: { type: 'exponential', delay: 200, jitter: 0.2 } })
    return await reply.code(202).send({ jobId: added.id, status: `/api/queues/email/jobs/${added.id}` })
  })

  fastify.get('/emails/sent', async () => ({ sent: fastify.repos.emails.count() }))
}
