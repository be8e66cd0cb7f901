// For the example app's one-time code tests: the codes the app issues (fastify.otp.issue wrapped
// in place, as a user reading their mailbox would see them) and the recipients of the e-mail jobs
// it adds.
import type { FastifyInstance } from 'fastify'
import { buildApp, type BuildOptions } from './example-app.js'
import type { Teardown } from './redis.js'

export interface ExampleApp {
  /** The server (inject requests here). */
  server: FastifyInstance
  /** The example app's own context: its decorators (otp, activity, queue, repos) live there. */
  app: FastifyInstance
}

/** The example app built as in the other tests, plus the context its plugins decorate. */
export async function exampleApp (t: Teardown, redisUrl: string, appOptions?: BuildOptions['appOptions']): Promise<ExampleApp> {
  let app: FastifyInstance | undefined
  const server = await buildApp(t, redisUrl, ':memory:', {
    appOptions,
    // The first context registered under the server is the app plugin's own.
    beforeRegister: s => { s.addHook('onRegister', instance => { app ??= instance }) }
  })
  if (app === undefined) throw new Error('the example app registered no context')
  return { server, app }
}

export interface Mailbox {
  /** The last code issued per subject ('login:<email>'). */
  codes: Map<string, string>
  /** Recipients of every e-mail job added, in order. */
  sentTo: string[]
}

export function mailbox (app: FastifyInstance): Mailbox {
  const box: Mailbox = { codes: new Map(), sentTo: [] }
  const issue = app.otp.issue.bind(app.otp)
  app.otp.issue = async (subject, options) => {
    const issued = await issue(subject, options)
    box.codes.set(subject, issued.code)
    return issued
  }
  const queue = app.queue<{ to: string }>('email')
  const add = queue.add.bind(queue)
  queue.add = async (name, data, opts) => {
    box.sentTo.push(data.to)
    return await add(name, data, opts)
  }
  return box
}

/** A 6-digit code that is not `code`. */
export function otherCode (code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0')
}
