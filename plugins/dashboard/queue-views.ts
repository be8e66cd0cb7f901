// The queue pages' HTML: the queues table, one queue (counts, throughput, actions, a page of jobs
// in one state) and one job (everything the record holds, and what can be done to it).
import type { JobCounts, JobPage, ThroughputMinute } from '../../lib/queue/queue.js'
import type { JobRecord, JobState } from '../../lib/queue/job.js'
import { JOB_STATES } from '../../lib/queue/job.js'
import { html, path, query, type Html } from './html.js'
import { actionForm, facts, json, table, when, type PageContext } from './layout.js'

const STATES: readonly JobState[] = JOB_STATES

function stateLinks (ctx: PageContext, queue: string, counts: JobCounts, current?: JobState): Html {
  return html`<ul class="states">${STATES.map(s => html`<li><a class="state ${s}" href="${path(ctx.prefix, 'queues', queue) + query({ state: s })}"${s === current ? html` aria-current="true"` : ''}><span class="label">${s}</span> <span class="count" data-state="${s}">${counts[s]}</span></a></li>`)}</ul>`
}

export function queuesTable (ctx: PageContext, rows: Array<{ name: string, counts: JobCounts }>): Html {
  return table(['Queue', 'Status', ...STATES], rows.map(r => [
    html`<a href="${path(ctx.prefix, 'queues', r.name)}">${r.name}</a>`,
    r.counts.paused ? html`<span class="badge paused">paused</span>` : html`<span class="badge running">running</span>`,
    ...STATES.map(s => html`<a href="${path(ctx.prefix, 'queues', r.name) + query({ state: s })}">${r.counts[s]}</a>`)
  ]), 'No queue yet.')
}

function throughputSummary (minutes: ThroughputMinute[]): Html {
  const completed = minutes.reduce((a, m) => a + m.completed, 0)
  const failed = minutes.reduce((a, m) => a + m.failed, 0)
  const busiest = minutes.reduce((a, m) => Math.max(a, m.completed + m.failed), 0)
  return html`<p class="throughput-summary">Last hour: <strong>${completed}</strong> completed, <strong>${failed}</strong> failed; busiest minute ${busiest} jobs.</p>`
}

export function queuePage (ctx: PageContext, queue: string, counts: JobCounts, minutes: ThroughputMinute[], state: JobState, jobs: JobPage, cursor: string | null): Html {
  const base = path(ctx.prefix, 'queues', queue)
  const rows = jobs.jobs.map(j => [
    html`<a href="${path(ctx.prefix, 'queues', queue, 'jobs', j.id)}">${j.id}</a>`,
    j.name,
    `${j.attemptsMade}/${j.attempts}`,
    when(j.createdAt),
    when(state === 'delayed' ? j.delayUntil : j.finishedAt ?? j.processedAt),
    j.failedReason ?? ''
  ])
  const timeTitle = state === 'delayed' ? 'Due' : 'Finished / started'
  const paging = html`<nav class="paging">${cursor === null ? '' : html`<a href="${base + query({ state })}">First page</a>`}${jobs.next === null ? '' : html` <a rel="next" href="${base + query({ state, cursor: jobs.next })}">Next page</a>`}</nav>`
  return html`
<section class="counts">${stateLinks(ctx, queue, counts, state)}
<p>Status: ${counts.paused ? html`<span class="badge paused">paused</span>` : html`<span class="badge running">running</span>`}</p></section>
<section class="throughput"><h2>Jobs finished per minute, last hour</h2>
<div class="chart" data-chart="throughput" data-src="${path(ctx.prefix, 'api', 'queues', queue, 'throughput')}"></div>
${throughputSummary(minutes)}</section>
<section class="actions"><h2>Actions</h2>
${counts.paused ? actionForm(ctx, base + '/resume', 'Resume') : actionForm(ctx, base + '/pause', 'Pause')}
${actionForm(ctx, base + '/retry-failed', 'Retry all failed', { confirm: 'Move every failed job back to waiting' })}
${actionForm(ctx, base + '/clean', 'Clean', {
  danger: true,
  confirm: 'Delete these jobs',
  inputs: html`<label>finished jobs <select name="state"><option value="completed">completed</option><option value="failed">failed</option></select></label>
<label>older than <input type="number" name="ageMinutes" min="0" max="5256000" value="60" required> minutes</label>`
})}
</section>
<section class="jobs"><h2>${state} jobs</h2>
${table(['Id', 'Name', 'Attempts', 'Created', timeTitle, 'Last error'], rows, `No ${state} job.`)}
${paging}</section>`
}

function attempts (job: JobRecord): Html {
  return table(['#', 'At', 'Error', 'Stack'], job.history.map(h => [
    h.attempt, when(h.at), h.error, h.stack === undefined || h.stack === '' ? '' : html`<details><summary>stack</summary><pre>${h.stack}</pre></details>`
  ]), 'No failed attempt.')
}

export function jobPage (ctx: PageContext, queue: string, job: JobRecord): Html {
  const base = path(ctx.prefix, 'queues', queue, 'jobs', job.id)
  const back = path(ctx.prefix, 'queues', queue) + query({ state: job.state })
  const canRetry = job.state === 'failed' || job.state === 'completed'
  return html`
<p><a href="${back}">← ${queue}: ${job.state} jobs</a></p>
${facts([
  ['Id', job.id],
  ['Name', job.name],
  ['State', html`<span class="state ${job.state}" data-job-state data-src="${path(ctx.prefix, 'api', 'queues', queue, 'jobs', job.id)}">${job.state}</span>`],
  ['Attempts', `${job.attemptsMade} made of ${job.attempts}`],
  ['Priority', job.priority],
  ['Backoff', job.backoff === null ? 'none' : json(job.backoff)],
  ['Timeout', job.timeout === 0 ? 'none' : `${job.timeout} ms`],
  ['Stalls', job.stalls],
  ['Created', when(job.createdAt)],
  ['Due', when(job.delayUntil)],
  ['Started', when(job.processedAt)],
  ['Finished', when(job.finishedAt)]
])}
<section class="actions"><h2>Actions</h2>
${canRetry ? actionForm(ctx, base + '/retry', 'Retry') : ''}
${job.state === 'delayed' ? actionForm(ctx, base + '/promote', 'Promote (run now)') : ''}
${job.state !== 'active' ? actionForm(ctx, base + '/remove', 'Remove', { danger: true, confirm: 'Delete this job' }) : html`<p>A worker holds this job: it can be retried or removed once it finishes.</p>`}
</section>
<section><h2>Data</h2><pre class="data">${json(job.data)}</pre></section>
${job.progress === undefined ? '' : html`<section><h2>Progress</h2><pre>${json(job.progress)}</pre></section>`}
${job.returnValue === undefined ? '' : html`<section><h2>Return value</h2><pre>${json(job.returnValue)}</pre></section>`}
${job.failedReason === undefined ? '' : html`<section><h2>Last error</h2><p class="error">${job.failedReason}</p>${job.stacktrace === undefined ? '' : html`<pre>${job.stacktrace}</pre>`}</section>`}
<section><h2>Failed attempts</h2>${attempts(job)}</section>`
}
