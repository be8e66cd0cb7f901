// Decorates `fastify.db` with the SQLite origin database; closes it with the app.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { openDatabase, type DB } from '../db/database.js'
import { repositories, type Repositories } from '../db/repositories.js'

declare module 'fastify' {
  interface FastifyInstance { db: DB, repos: Repositories }
}

export default fp(async (fastify: FastifyInstance, opts: { dbPath?: string }) => {
  const db = openDatabase(opts.dbPath ?? process.env.SQLITE_PATH ?? 'example-app/data/app.db')
  fastify.decorate('db', db)
  fastify.decorate('repos', repositories(db))
  fastify.addHook('onClose', async () => { db.close() })
}, { name: 'example-db' })
