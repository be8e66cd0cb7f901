// Products: write-through (the origin and the cache are updated together) and cached reads.
// Anyone reads; only admins create or change a product (its price included).
import type { FastifyInstance } from 'fastify'
import type { Product } from '../../db/repositories.js'
import { principalOf, requireAdmin } from '../../auth/hooks.js'
import { countView } from '../../recipes/product-views.js'
import { recordView } from '../../recipes/recently-viewed.js'
import { idParams, int } from '../../schemas/numbers.js'

export default async function products (fastify: FastifyInstance, _opts: object): Promise<void> {
  fastify.get<{ Params: { id: number } }>('/products/:id', { schema: { params: idParams } }, async (request, reply) => {
    const id = request.params.id
    const product = await fastify.cache.wrap<Product | null>(`product:${id}`, () => fastify.repos.products.get(id) ?? null, { ttl: 300_000 })
    if (product === null) return await reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such product' })
    // A view: counted (INCR), and listed first in the logged-in viewer's recently viewed.
    const viewer = principalOf(request)
    // Both are best effort: with Redis unreachable the product is still served (views: null).
    const [views] = await Promise.all([
      countView(fastify.redis, id).catch((err: unknown) => { request.log.warn({ err }, 'view not counted'); return null }),
      viewer === null ? undefined : recordView(fastify.redis, viewer.id, id).catch((err: unknown) => { request.log.warn({ err }, 'recently viewed not recorded') })
    ])
    return { ...product, views }
  })

  fastify.put<{ Params: { id: number }, Body: { name: string, priceCents: number, stock: number } }>('/products/:id', {
    onRequest: requireAdmin,
    schema: {
      params: idParams,
      body: {
        type: 'object',
        required: ['name', 'priceCents', 'stock'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          priceCents: int(0, 100_000_000),
          stock: int(0, 1_000_000)
        }
      }
    }
  }, async request => {
    const id = request.params.id
    // The writer updates SQLite; its result is cached unless the key was invalidated meanwhile.
    return await fastify.cache.writeThrough(`product:${id}`, () => fastify.repos.products.put({ id, ...request.body }), { ttl: 300_000 })
  })
}
