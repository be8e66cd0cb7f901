// preHandler of the queue plugin's routes: a job added through POST /api/queues/email/jobs, and
// the job a schedule on the email queue will add (PUT /api/queues/email/schedules/:id), must carry
// data that POST /api/emails would accept, so no admin route is a way around the e-mail
// validation (the worker trusts job.data).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { emailSchema } from './email.js'

export async function emailJobsMatchEmailSchema (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const url = request.routeOptions.url ?? ''
  const addsJobs = (request.method === 'POST' && url.endsWith('/:queue/jobs')) || (request.method === 'PUT' && url.endsWith('/:queue/schedules/:id'))
  if (!addsJobs) return
  if ((request.params as { queue: string }).queue !== 'email') return
  // Compiled once per route by the app's own Ajv (same formats and coercion as route schemas).
  const validate = request.compileValidationSchema(emailSchema, 'body')
  if (validate((request.body as { data?: unknown }).data)) return
  const message = (validate.errors ?? []).map(e => `body/data${e.instancePath} ${e.message ?? 'is invalid'}`).join(', ')
  return await reply.code(400).send({ statusCode: 400, code: 'FST_ERR_VALIDATION', error: 'Bad Request', message })
}
