// Admins read and change the expiry of one key of a whitelisted family (TTL, EXPIREAT, PERSIST):
// GET / PUT { expireAt } / DELETE /admin/ttl/:family/:id. The family is an enum and the id a
// bounded integer, so the key is always one the app built (recipes/ttl-families.ts).
import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../../auth/hooks.js'
import { MAX_ID, int } from '../../schemas/numbers.js'
import { TTL_FAMILIES, expireAt, expiryOf, persist, redisNowSeconds, type TtlFamily } from '../../recipes/ttl-families.js'

const params = {
  type: 'object',
  required: ['family', 'id'],
  additionalProperties: false,
  properties: { family: { type: 'string', enum: Object.keys(TTL_FAMILIES) }, id: int(1, MAX_ID) }
} as const

/** 2100-01-01T00:00:00Z: a later expiry is a typo, not a plan. */
const MAX_EXPIRE_AT = 4_102_444_800

type Params = { family: TtlFamily, id: number }

export default async function adminTtl (fastify: FastifyInstance, _opts: object): Promise<void> {
  const noKey = (p: Params) => ({ statusCode: 404, error: 'Not Found', message: `No ${p.family} key for ${TTL_FAMILIES[p.family].id} ${p.id}` })

  fastify.get<{ Params: Params }>('/admin/ttl/:family/:id', { onRequest: requireAdmin, schema: { params } }, async request => {
    const { family, id } = request.params
    return { family, id, ...await expiryOf(fastify.redis, family, id) }
  })

  fastify.put<{ Params: Params, Body: { expireAt: number } }>('/admin/ttl/:family/:id', {
    onRequest: requireAdmin,
    schema: {
      params,
      body: { type: 'object', required: ['expireAt'], additionalProperties: false, properties: { expireAt: int(1, MAX_EXPIRE_AT) } }
    }
  }, async (request, reply) => {
    const { family, id } = request.params
    // A past time would make EXPIREAT delete the key: refused, nothing written.
    if (request.body.expireAt <= await redisNowSeconds(fastify.redis)) {
      return await reply.code(400).send({ statusCode: 400, code: 'FST_ERR_VALIDATION', error: 'Bad Request', message: 'body/expireAt must be in the future (Unix seconds)' })
    }
    if (!await expireAt(fastify.redis, family, id, request.body.expireAt)) return await reply.code(404).send(noKey(request.params))
    return { family, id, ...await expiryOf(fastify.redis, family, id) }
  })

  fastify.delete<{ Params: Params }>('/admin/ttl/:family/:id', { onRequest: requireAdmin, schema: { params } }, async (request, reply) => {
    const { family, id } = request.params
    const persisted = await persist(fastify.redis, family, id)
    const expiry = await expiryOf(fastify.redis, family, id)
    if (!expiry.exists) return await reply.code(404).send(noKey(request.params))
    return { family, id, persisted, ...expiry }
  })
}
