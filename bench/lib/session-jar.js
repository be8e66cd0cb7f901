// Sessions for HTTP benches: one session per autocannon connection, created beforehand through
// the bench server's own code (POST /init) against the same Redis, and a request that sends each
// connection's cookie on every request it makes.
import { pathToFileURL } from 'node:url'

/** `n` cookies (`name=value`) made by the server module at `serverPath` (a file path). */
export async function sessionCookies (serverPath, env, n) {
  const { build } = await import(pathToFileURL(serverPath).href)
  const app = await build(env)
  try {
    const out = []
    for (let i = 0; i < n; i++) {
      const res = await app.inject({ method: 'POST', url: '/init' })
      const c = res.cookies.find(x => x.name === 'sid' || x.name === 'sessionId')
      if (res.statusCode !== 200 || c === undefined) throw new Error(`${serverPath}: /init failed (${res.statusCode})`)
      out.push(`${c.name}=${c.value}`)
    }
    return out
  } finally {
    await app.close()
  }
}

/** autocannon options: GET `path`, each connection with its own cookie from `jar`. */
export function perConnection (path, jar) {
  let next = 0
  return {
    requests: [{
      method: 'GET',
      path,
      setupRequest (req, context) {
        context.cookie ??= jar[next++ % jar.length]
        return { ...req, headers: { ...req.headers, cookie: context.cookie } }
      }
    }]
  }
}
