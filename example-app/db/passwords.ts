// scrypt password hashes (node:crypto), compared in constant time.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

export function hashPassword (password: string): string {
  const salt = randomBytes(16)
  return `${salt.toString('base64url')}:${scryptSync(password, salt, 32).toString('base64url')}`
}

export function verifyPassword (password: string, stored: string): boolean {
  const [salt, hash] = stored.split(':')
  if (salt === undefined || hash === undefined) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = scryptSync(password, Buffer.from(salt, 'base64url'), expected.length)
  return timingSafeEqual(expected, actual)
}
