// Job data, names, ids and error messages are attacker-controlled: every page shows them as text.
// Unit checks of the html tag, then the pages with hostile values.
import { test } from 'tap'
import { startRedis, eventually } from '../helpers/redis.js'
import { redisQueue } from '../../plugins/queue.js'
import { escapeHtml, html, path, render, trusted } from '../../plugins/dashboard/html.js'
import { admin, dashboardApp } from './fixtures/app.js'

const HOSTILE = '<img src=x onerror=alert(1)>"\'`&'

test('the html tag escapes every value that is not already Html', async t => {
  t.equal(escapeHtml(HOSTILE), '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&#96;&amp;')
  t.equal(render(html`<td title="${HOSTILE}">${HOSTILE}</td>`), `<td title="${escapeHtml(HOSTILE)}">${escapeHtml(HOSTILE)}</td>`)
  t.equal(render(html`${[HOSTILE, html`<b>${HOSTILE}</b>`]}`), `${escapeHtml(HOSTILE)}<b>${escapeHtml(HOSTILE)}</b>`, 'arrays: each item escaped, Html kept')
  t.equal(render(html`${null}${undefined}${false}${0}`), '0')
  t.equal(render(html`${{ toString: () => '<x>' }}`), '&lt;x&gt;', 'objects go through String and are escaped')
  t.equal(render(html`${trusted('<br>')}`), '<br>', 'trusted markup of the package itself passes')
  t.equal(path('/d', 'queues', 'a/b?c#d'), '/d/queues/a%2Fb%3Fc%23d', 'path segments are encoded')
})

test('hostile job data, names, ids and errors render inert on every queue page', async t => {
  const client = (await startRedis(t)).client()
  const queueName = 'q<script>alert(1)</script>'
  const app = await dashboardApp(t, client, async a => { await a.register(redisQueue, { queueOptions: { prefix: `es${process.pid}` }, queues: [queueName] }) })
  const q = app.queue(queueName)
  const { id } = await q.add(HOSTILE, { html: HOSTILE, [HOSTILE]: 1 }, { jobId: `x${HOSTILE}`, attempts: 1 })
  const w = q.process(async () => { throw new Error(HOSTILE) })
  await eventually(async () => (await q.counts()).failed === 1)
  await w.close()
  const s = await admin(app)
  const pages = [
    '/dashboard/queues',
    `/dashboard/queues/${encodeURIComponent(queueName)}?state=failed`,
    `/dashboard/queues/${encodeURIComponent(queueName)}/jobs/${encodeURIComponent(id)}`
  ]
  for (const url of pages) {
    const res = await app.inject({ url, headers: s.headers })
    t.equal(res.statusCode, 200, url)
    t.notMatch(res.body, /<img|<script>alert/i, `${url}: no hostile element`)
    t.notMatch(res.body, /"'`&[^a#]/, `${url}: no raw quote run`)
  }
  const detail = await app.inject({ url: pages[2], headers: s.headers })
  t.match(detail.body, escapeHtml(HOSTILE), 'the values are shown, as text')
  const flash = await app.inject({ url: `${pages[0]}?done=${encodeURIComponent(HOSTILE)}`, headers: s.headers })
  t.notMatch(flash.body, /class="flash"/, 'a flash message is only ever one of the fixed texts')
})
