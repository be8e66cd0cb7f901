// Post tags (sets): GET /posts?tags=a,b&match=all|any|not lists the posts with every tag
// (SINTER), any of them (SUNION) or none of them (SDIFF); admins set a post's tags.
import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../../auth/hooks.js'
import { idParams } from '../../schemas/numbers.js'
import { MAX_TAGS, TAG_PATTERN, postsTagged, registerPosts, setTags, tagsOf, type TagMatch } from '../../recipes/post-tags.js'

const tag = TAG_PATTERN.slice(1, -1)

export default async function postTags (fastify: FastifyInstance, _opts: object): Promise<void> {
  await registerPosts(fastify.redis, fastify.repos.posts.ids())
  const notFound = { statusCode: 404, error: 'Not Found', message: 'No such post' }

  fastify.get<{ Querystring: { tags: string, match: TagMatch } }>('/posts', {
    schema: {
      querystring: {
        type: 'object',
        required: ['tags'],
        additionalProperties: false,
        properties: {
          // A comma-separated list of 1 to MAX_TAGS tags.
          tags: { type: 'string', pattern: `^${tag}(,${tag}){0,${MAX_TAGS - 1}}$` },
          match: { type: 'string', enum: ['all', 'any', 'not'], default: 'all' }
        }
      }
    }
  }, async request => {
    const tags = [...new Set(request.query.tags.split(','))]
    const ids = await postsTagged(fastify.redis, tags, request.query.match)
    const posts = ids.map(id => fastify.repos.posts.get(id)).filter(p => p !== undefined)
    return { tags, match: request.query.match, posts }
  })

  fastify.get<{ Params: { id: number } }>('/posts/:id/tags', { schema: { params: idParams } }, async (request, reply) => {
    if (fastify.repos.posts.get(request.params.id) === undefined) return await reply.code(404).send(notFound)
    return { id: request.params.id, tags: await tagsOf(fastify.redis, request.params.id) }
  })

  fastify.put<{ Params: { id: number }, Body: { tags: string[] } }>('/posts/:id/tags', {
    onRequest: requireAdmin,
    schema: {
      params: idParams,
      body: {
        type: 'object',
        required: ['tags'],
        additionalProperties: false,
        properties: { tags: { type: 'array', maxItems: MAX_TAGS, uniqueItems: true, items: { type: 'string', pattern: TAG_PATTERN } } }
      }
    }
  }, async (request, reply) => {
    if (fastify.repos.posts.get(request.params.id) === undefined) return await reply.code(404).send(notFound)
    const tags = await setTags(fastify.redis, request.params.id, request.body.tags)
    if (tags === null) return await reply.code(409).send({ statusCode: 409, error: 'Conflict', message: 'The post\'s tags kept changing meanwhile: try again' })
    return { id: request.params.id, tags }
  })
}
