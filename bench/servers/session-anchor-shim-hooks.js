// Module hooks for the anchor only: connect-redis 8 imports `Store` from its peer express-session,
// which bench/package.json does not install. When it is missing, resolve it to a stand-in
// (express-session's Store is an EventEmitter that connect-redis merely extends; nothing on the
// benchmarked path uses more of it). With express-session installed, the real one is used.
export async function resolve (specifier, context, next) {
  if (specifier === 'express-session') {
    try {
      return await next(specifier, context)
    } catch {
      return { url: new URL('./session-anchor-shim-store.js', import.meta.url).href, shortCircuit: true }
    }
  }
  return next(specifier, context)
}
