// The logged-in user's recently viewed products (GET /products/:id records them), newest first.
import type { FastifyInstance } from 'fastify'
import { requireUser } from '../../auth/hooks.js'
import { recentlyViewed } from '../../recipes/recently-viewed.js'

export default async function recentlyViewedRoutes (fastify: FastifyInstance, _opts: object): Promise<void> {
  fastify.get('/me/recently-viewed', { onRequest: requireUser }, async request => {
    const ids = await recentlyViewed(fastify.redis, Number(request.session.userId))
    // A product deleted since is left out rather than failing the list.
    return { products: ids.map(id => fastify.repos.products.get(id)).filter(p => p !== undefined) }
  })
}
