// The dashboard end to end in a real headless Chromium (issue 21): the example app on a real port
// with a private Redis, an admin logs in, reads the e-mail queue's counts, opens a failed job,
// presses Retry and sees it complete; job data holding markup renders inert (no dialog ever
// opens); a non-admin gets 403, an anonymous visitor 401; a form posted from another origin is
// refused. Every page visited is saved as a screenshot in test-output/screenshots/.
import { test } from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startRedis, eventually } from '../helpers/redis.js'
import { ADA, ADMIN, buildApp } from '../helpers/example-app.js'
import { launchBrowser, screenshot } from '../helpers/browser.js'
import type { Email } from '../../example-app/schemas/email.js'
import { Queue } from '../../lib/queue/queue.js'

const XSS = '<img src=x onerror=alert(1)>'

async function loggedIn (browser: Browser, base: string, who: { email: string } | null): Promise<{ context: BrowserContext, page: Page, dialogs: string[] }> {
  const context = await browser.newContext()
  if (who !== null) {
    const res = await context.request.post(`${base}/api/login`, { data: { email: who.email, password: 'password' } })
    if (res.status() !== 200) throw new Error(`login as ${who.email}: ${res.status()}`)
  }
  const page = await context.newPage()
  const dialogs: string[] = []
  // Any alert/confirm/prompt would be injected script running: record it and close it.
  page.on('dialog', d => { dialogs.push(d.message()); d.dismiss().catch(() => {}) })
  return { context, page, dialogs }
}

test('the dashboard in Chromium: counts, a failed job retried to completion, inert markup, 401/403, cross-site refused', async t => {
  // Every first send fails, so a job allowed one attempt fails for good; the simulated provider
  // succeeds on a job's second run, which is what the Retry button starts.
  process.env.EMAIL_FAILURE_RATE = '1'
  const redis = await startRedis(t)
  const app: FastifyInstance = await buildApp(t, redis.url)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  // The app's e-mail queue, reached through Redis (fastify-cli's build keeps the app's decorators in its own scope).
  const email = new Queue<Email>(redis.client(), 'email')
  const failing = await email.add('send-email', { to: 'ada@example.com', subject: 'Your invoice', body: 'Hello' }, { attempts: 1 })
  const hostile = await email.add('send-email', { to: 'eve@example.com', subject: XSS, body: `<script>alert(2)</script>${XSS}` }, { attempts: 1 })
  await eventually(async () => (await email.counts()).failed === 2, { ms: 30_000, what: 'both jobs failed' })

  const browser = await launchBrowser(t)
  const admin = await loggedIn(browser, base, ADMIN)
  const { page } = admin

  await t.test('the queues page shows the e-mail queue\'s counts', async t => {
    const res = await page.goto(`${base}/dashboard/queues`)
    t.equal(res?.status(), 200)
    await screenshot(page, 'queues')
    const failed = page.locator('a[href="/dashboard/queues/email?state=failed"]')
    t.equal((await failed.textContent())?.trim(), '2', 'two failed e-mail jobs')
    const res2 = await page.goto(`${base}/dashboard/`)
    t.equal(res2?.status(), 200)
    await screenshot(page, 'overview')
  })

  await t.test('a failed job opened from the queue page is retried and completes', async t => {
    await page.click('text=Queues')
    await page.click('a[href="/dashboard/queues/email"]')
    await page.click('a[href="/dashboard/queues/email?state=failed"]')
    t.match(await page.textContent('main h2:has-text("failed jobs")'), 'failed jobs')
    await page.waitForSelector('[data-chart="throughput"][data-drawn="true"]', { timeout: 30_000 })
    t.ok(await page.$('[data-chart="throughput"] canvas'), 'the throughput chart is drawn')
    await screenshot(page, 'queue-email-failed')
    await page.click(`a[href="/dashboard/queues/email/jobs/${failing.id}"]`)
    t.equal(await page.textContent('[data-job-state]'), 'failed')
    t.match(await page.textContent('main'), 'simulated SMTP failure', 'the error is shown')
    await screenshot(page, 'job-failed')
    await page.click('button:has-text("Retry")')
    t.match(await page.textContent('.flash'), 'moved back to waiting')
    // The page follows the job (its script reloads it when the state changes); reload too, so the
    // check does not depend on the script.
    await eventually(async () => {
      await page.reload()
      return await page.textContent('[data-job-state]') === 'completed'
    }, { ms: 30_000, what: 'the retried job completed' })
    await screenshot(page, 'job-completed')
    t.equal((await email.getJob(failing.id))?.state, 'completed')
  })

  await t.test('job data holding markup renders as text: no dialog, no element', async t => {
    await page.goto(`${base}/dashboard/queues/email/jobs/${hostile.id}`)
    await page.goto(`${base}/dashboard/queues/email?state=failed`)
    await page.goto(`${base}/dashboard/queues/email/jobs/${hostile.id}`)
    await screenshot(page, 'job-hostile-data')
    t.match(await page.textContent('pre.data'), XSS, 'the markup is shown as text')
    t.equal(await page.locator('main img').count(), 0, 'no img element was made')
    t.equal(await page.locator('main script').count(), 0, 'no script element was made')
    t.strictSame(admin.dialogs, [], 'no dialog opened')
  })

  await t.test('the other pages render', async t => {
    for (const section of ['leaderboards', 'locks', 'sessions', 'cache', 'rate-limits', 'redis']) {
      const res = await page.goto(`${base}/dashboard/${section}`)
      t.equal(res?.status(), 200, section)
      await screenshot(page, section)
    }
    t.strictSame(admin.dialogs, [])
  })

  await t.test('a non-admin gets 403 and an anonymous visitor 401', async t => {
    const ada = await loggedIn(browser, base, ADA)
    t.equal((await ada.page.goto(`${base}/dashboard/queues`))?.status(), 403)
    await screenshot(ada.page, 'non-admin-403')
    const anon = await loggedIn(browser, base, null)
    t.equal((await anon.page.goto(`${base}/dashboard/queues`))?.status(), 401)
    await screenshot(anon.page, 'anonymous-401')
  })

  await t.test('a form posted from another origin is refused', async t => {
    // Another origin on the same host (same site: the admin's cookies travel with the request, so
    // the CSRF guard, not the cookie policy, is what refuses it).
    const evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html')
      res.end(`<form method="post" action="${base}/dashboard/queues/email/pause"><input name="_csrf" value="guessed"></form>` +
        '<script>document.forms[0].submit()</script>')
    })
    await new Promise<void>(resolve => evil.listen(0, '127.0.0.1', resolve))
    t.teardown(() => evil.close())
    const evilBase = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`
    const posted = admin.page.waitForResponse(r => r.url() === `${base}/dashboard/queues/email/pause`)
    await admin.page.goto(evilBase)
    const res = await posted
    t.equal(res.status(), 403, 'refused')
    await admin.page.waitForLoadState()
    t.match(await admin.page.textContent('main'), 'Cross-site request refused')
    await screenshot(admin.page, 'cross-site-refused')
    t.equal(await email.isPaused(), false, 'the queue was not paused')
  })
})
