// Payments processed under a distributed lock. The lock's fencing token is written with the
// payment, and the UPDATE only applies a token newer than the last one seen, so even a holder
// that lost its lock (paused process, expired lease) cannot process twice.
// Payments are an admin's business: processing and reading them both need the admin role.
import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../../auth/hooks.js'
import { idParams } from '../../schemas/numbers.js'

export default async function payments (fastify: FastifyInstance, _opts: object): Promise<void> {
  fastify.post<{ Params: { id: number } }>('/payments/:id/process', { onRequest: requireAdmin, schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id
    if (fastify.repos.payments.get(id) === undefined) {
      return await reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such payment' })
    }
    return await fastify.locker.using(`payment:${id}`, async (signal, lease) => {
      const payment = fastify.repos.payments.get(id)
      if (payment?.status === 'processed') return { id, status: 'already-processed', fencingToken: payment.fencingToken }
      // The call to the payment provider would go here, passing `signal` so it stops if the
      // lock is lost.
      signal.throwIfAborted()
      const applied = fastify.repos.payments.process(id, lease.fencingToken)
      return { id, status: applied ? 'processed' : 'already-processed', fencingToken: lease.fencingToken }
    }, { ttl: 10_000, waitTimeout: 5_000 })
  })

  fastify.get<{ Params: { id: number } }>('/payments/:id', { onRequest: requireAdmin, schema: { params: idParams } }, async (request, reply) => {
    const payment = fastify.repos.payments.get(request.params.id)
    return payment ?? await reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such payment' })
  })
}
