// Prepared statements of the example app, one small repository per table. better-sqlite3 runs
// each statement atomically; read-modify-write steps use transactions.
import type { DB, Role } from './database.js'

export interface User { id: number, name: string, email: string, bio: string, role: Role, updatedAt: number }
export interface Product { id: number, name: string, priceCents: number, stock: number, updatedAt: number }
export interface Payment { id: number, amountCents: number, status: string, fencingToken: number | null, processCount: number, processedAt: number | null }

export function repositories (db: DB) {
  const userById = db.prepare('SELECT id, name, email, bio, role, updated_at AS updatedAt FROM users WHERE id = ?')
  const roleById = db.prepare('SELECT role FROM users WHERE id = ?')
  const userByEmail = db.prepare('SELECT id, password_hash AS passwordHash FROM users WHERE email = ?')
  const updateUser = db.prepare('UPDATE users SET name = COALESCE(@name, name), bio = COALESCE(@bio, bio), updated_at = @now WHERE id = @id')
  const productById = db.prepare('SELECT id, name, price_cents AS priceCents, stock, updated_at AS updatedAt FROM products WHERE id = ?')
  const upsertProduct = db.prepare(`INSERT INTO products (id, name, price_cents, stock, updated_at) VALUES (@id, @name, @priceCents, @stock, @now)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents, stock = excluded.stock, updated_at = excluded.updated_at`)
  const postById = db.prepare('SELECT id, title, views FROM posts WHERE id = ?')
  const postIds = db.prepare('SELECT id FROM posts').pluck()
  const addViews = db.prepare('UPDATE posts SET views = views + ? WHERE id = ?')
  const paymentById = db.prepare(`SELECT id, amount_cents AS amountCents, status, fencing_token AS fencingToken,
    process_count AS processCount, processed_at AS processedAt FROM payments WHERE id = ?`)
  // The fencing check lives in the write itself: a holder whose lock expired carries an older
  // token and changes nothing.
  const processPayment = db.prepare(`UPDATE payments SET status = 'processed', fencing_token = @token,
    process_count = process_count + 1, processed_at = @now
    WHERE id = @id AND status = 'pending' AND (fencing_token IS NULL OR fencing_token < @token)`)
  const recordEmail = db.prepare(`INSERT INTO emails (job_id, recipient, subject, attempts, sent_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(job_id) DO NOTHING`)
  const addViewsTx = db.transaction((batch: Array<[number, number]>) => {
    for (const [id, n] of batch) addViews.run(n, id)
  })
  const emailCount = db.prepare('SELECT COUNT(*) AS n FROM emails')

  return {
    users: {
      get: (id: number) => userById.get(id) as User | undefined,
      /** The user's role, read on every authorised request so a demotion applies at once. */
      role: (id: number) => (roleById.get(id) as { role: Role } | undefined)?.role,
      credentials: (email: string) => userByEmail.get(email) as { id: number, passwordHash: string } | undefined,
      update (id: number, patch: { name?: string, bio?: string }): User | undefined {
        const res = updateUser.run({ id, name: patch.name ?? null, bio: patch.bio ?? null, now: Date.now() })
        return res.changes === 0 ? undefined : userById.get(id) as User
      }
    },
    products: {
      get: (id: number) => productById.get(id) as Product | undefined,
      put (p: Omit<Product, 'updatedAt'>): Product {
        upsertProduct.run({ ...p, now: Date.now() })
        return productById.get(p.id) as Product
      }
    },
    posts: {
      get: (id: number) => postById.get(id) as { id: number, title: string, views: number } | undefined,
      ids: () => postIds.all() as number[],
      /** Applies a batch of counted views in one transaction. */
      addViews: (batch: Array<[number, number]>): void => { addViewsTx(batch) }
    },
    payments: {
      get: (id: number) => paymentById.get(id) as Payment | undefined,
      /** Marks a pending payment processed under fencing token `token`; false if it changed nothing. */
      process: (id: number, token: number): boolean => processPayment.run({ id, token, now: Date.now() }).changes === 1
    },
    emails: {
      record: (jobId: string, to: string, subject: string, attempts: number) => recordEmail.run(jobId, to, subject, attempts, Date.now()).changes === 1,
      count: () => (emailCount.get() as { n: number }).n
    }
  }
}

export type Repositories = ReturnType<typeof repositories>
