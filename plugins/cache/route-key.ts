// The key of a cached route response: `route:` + the URL (or the route's `key(request)`), then one
// `\n<header>=<digest>` part per request header the response varies on. Header values are
// digested, never written into key names: a key name is readable by anyone with SCAN, and `vary:
// ['authorization']` must not put bearer tokens there. `Host` is part of the key by default, so
// host-based tenants never share entries.
import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

// Digests of recent header values: the same Host (or API key) arrives on most requests, and a
// SHA-256 per hit would cost more than the rest of the key. Cleared whole when full (bounded).
const MEMO_MAX = 512

export class RouteKey {
  readonly #base: (request: FastifyRequest) => string
  /** Headers in the key: configured `vary`, then `host`, then those learned from responses. */
  readonly #headers: string[]
  readonly #memo = new Map<string, string>()

  constructor (base: (request: FastifyRequest) => string, vary: readonly string[], varyHost: boolean) {
    this.#base = base
    this.#headers = [...vary]
    if (varyHost && !this.#headers.includes('host')) this.#headers.push('host')
  }

  /** The headers the key is built from (lower case). */
  get headers (): readonly string[] { return this.#headers }

  /**
   * Adds headers a response named in `Vary` that the key did not cover. Such a response is not
   * stored (it was filed under a key blind to them); requests from now on are keyed on them too,
   * so the next response for each value is stored under its own key.
   */
  learn (names: readonly string[]): void {
    for (const n of names) if (!this.#headers.includes(n)) this.#headers.push(n)
  }

  /** The names in `vary` (a response's Vary list) that the key does not cover. */
  uncovered (vary: readonly string[]): string[] {
    return vary.filter(n => !this.#headers.includes(n))
  }

  of (request: FastifyRequest): string {
    let k = 'route:' + this.#base(request)
    for (const n of this.#headers) {
      const v = request.headers[n]
      k += '\n' + n + '=' + (v === undefined ? '-' : this.#digest(Array.isArray(v) ? v.join(', ') : v))
    }
    return k
  }

  #digest (value: string): string {
    let d = this.#memo.get(value)
    if (d === undefined) {
      d = createHash('sha256').update(value).digest('base64url').slice(0, 22)
      if (this.#memo.size >= MEMO_MAX) this.#memo.clear()
      this.#memo.set(value, d)
    }
    return d
  }
}
