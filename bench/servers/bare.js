// Ceiling 1: a bare Fastify route answering small JSON.
import Fastify from 'fastify'

export async function build () {
  const app = Fastify()
  app.get('/', async () => ({ id: 1, name: 'Ada', tags: ['a', 'b'] }))
  return app
}
