// Child process for HTTP benches: imports a server module, listens on a free port, prints it.
const mod = await import(new URL(process.argv[2], `file://${process.cwd()}/`).href)
const app = await mod.build(process.env)
await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`listening:${app.server.address().port}\n`)
process.once('SIGTERM', () => { app.close().finally(() => process.exit(0)) })
