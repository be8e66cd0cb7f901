// The origin database of the example app: SQLite through better-sqlite3 (synchronous, so every
// statement below is atomic on its own; multi-statement changes use transactions).
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { hashPassword } from './passwords.js'

export type DB = Database.Database

/** 'admin' may change products and any profile, process payments, send e-mail and run the queues. */
export type Role = 'member' | 'admin'

export const ADMIN_EMAIL = 'admin@example.com'

const schema = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  bio TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS products (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS posts (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  views INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS payments (
  id INTEGER PRIMARY KEY,
  amount_cents INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  fencing_token INTEGER,
  process_count INTEGER NOT NULL DEFAULT 0,
  processed_at INTEGER
);
CREATE TABLE IF NOT EXISTS emails (
  id INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL UNIQUE,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  sent_at INTEGER NOT NULL
);
`

/** Opens (creating and seeding on first start) the database at `path` (':memory:' for tests). */
export function openDatabase (path: string): DB {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.exec(schema)
  migrate(db)
  seed(db)
  return db
}

// Databases created before roles existed get the column (everyone a member) and the admin below.
function migrate (db: DB): void {
  const columns = db.prepare('PRAGMA table_info(users)').all() as Array<{ name: string }>
  if (!columns.some(c => c.name === 'role')) {
    db.exec("ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin'))")
  }
}

function seed (db: DB): void {
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }
  const now = Date.now()
  const password = hashPassword('password')
  if (n === 0) {
    db.transaction(() => {
      const user = db.prepare('INSERT INTO users (id, name, email, bio, password_hash, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      const names = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Frances', 'Edsger', 'Radia']
      names.forEach((name, i) => user.run(i + 1, name, `${name.toLowerCase()}@example.com`, `${name} writes code.`, password, now))
      const product = db.prepare('INSERT INTO products (id, name, price_cents, stock, updated_at) VALUES (?, ?, ?, ?, ?)')
      for (let i = 1; i <= 10; i++) product.run(i, `Product ${i}`, i * 250, 100, now)
      const post = db.prepare('INSERT INTO posts (id, title) VALUES (?, ?)')
      for (let i = 1; i <= 10; i++) post.run(i, `Post ${i}`)
      const payment = db.prepare('INSERT INTO payments (id, amount_cents) VALUES (?, ?)')
      for (let i = 1; i <= 100; i++) payment.run(i, i * 100)
    })()
  }
  const { admins } = db.prepare("SELECT COUNT(*) AS admins FROM users WHERE role = 'admin'").get() as { admins: number }
  if (admins === 0) {
    // A demo admin (id 11 on a fresh database) with the demo members' well-known password: fine
    // on localhost; change it, or drop the row, before the app faces anyone else.
    db.prepare(`INSERT INTO users (name, email, bio, password_hash, role, updated_at) VALUES ('Admin', ?, 'Runs the shop.', ?, 'admin', ?)
      ON CONFLICT(email) DO NOTHING`).run(ADMIN_EMAIL, password, now)
  }
}
