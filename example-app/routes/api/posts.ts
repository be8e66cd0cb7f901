// Page views counted through a write-behind buffer: each view is recorded in Redis at once and
// flushed to SQLite in batches (one transaction per batch).
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../../auth/hooks.js'
import { idParams } from '../../schemas/numbers.js'

export default async function posts (fastify: FastifyInstance, _opts: object): Promise<void> {
  const views = fastify.cache.writeBehind<number>('post-views', {
    batchSize: 500,
    interval: 1000,
    // Keys are `view:<postId>:<uuid>`, one per view; a batch is summed per post. Delivery is at
    // least once: a batch re-delivered after a crash mid-flush would count twice.
    flush: batch => {
      const perPost = new Map<number, number>()
      for (const { key, value } of batch) {
        const postId = Number(key.split(':')[1])
        perPost.set(postId, (perPost.get(postId) ?? 0) + value)
      }
      fastify.repos.posts.addViews([...perPost])
    },
    cache: { ttl: 1000, l1Ttl: 0 }
  })

  fastify.post<{ Params: { id: number } }>('/posts/:id/views', { schema: { params: idParams } }, async (request, reply) => {
    if (fastify.repos.posts.get(request.params.id) === undefined) {
      return await reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such post' })
    }
    await views.write(`view:${request.params.id}:${randomUUID()}`, 1)
    return await reply.code(202).send({ accepted: true })
  })

  fastify.get<{ Params: { id: number } }>('/posts/:id', { schema: { params: idParams } }, async (request, reply) => {
    const post = fastify.repos.posts.get(request.params.id)
    return post ?? await reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such post' })
  })

  /** Flushes pending views now (the buffer also flushes every second and on shutdown): admins only. */
  fastify.post('/posts/views/flush', { onRequest: requireAdmin }, async () => ({ flushed: await views.flush() }))
}
