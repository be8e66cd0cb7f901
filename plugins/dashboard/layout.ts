// The frame of every dashboard page (head, navigation, flash message) and the small building
// blocks pages share: tables, action forms, state badges. No inline script or style: the CSP
// allows only the package's own files.
import { html, path, type Html } from './html.js'
import { CSRF_FIELD } from './csrf.js'

export type SectionId = 'queues' | 'leaderboards' | 'locks' | 'sessions' | 'cache' | 'rate-limits' | 'redis'

export const SECTION_TITLES: Record<SectionId, string> = {
  queues: 'Queues',
  leaderboards: 'Leaderboards',
  locks: 'Locks',
  sessions: 'Sessions',
  cache: 'Cache',
  'rate-limits': 'Rate limits',
  redis: 'Redis'
}

/** What every page needs to know about the request. */
export interface PageContext {
  /** The dashboard's prefix, e.g. '/dashboard'. */
  prefix: string
  title: string
  /** The CSRF token the page's forms repeat. */
  csrf: string
  /** Sections with a registered plugin, in menu order. */
  sections: readonly SectionId[]
  /** A message saying what the last action did (from a fixed list), if any. */
  flash?: string
}

export function page (ctx: PageContext, current: SectionId | null, heading: string, body: Html): Html {
  const nav = ctx.sections.map(s => html`<a href="${path(ctx.prefix, s)}"${s === current ? html` aria-current="page"` : ''}>${SECTION_TITLES[s]}</a>`)
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${ctx.csrf}">
<title>${heading} · ${ctx.title}</title>
<link rel="stylesheet" href="${ctx.prefix}/assets/dashboard.css">
<link rel="stylesheet" href="${ctx.prefix}/assets/uPlot.min.css">
<script src="${ctx.prefix}/assets/uPlot.iife.min.js" defer></script>
<script src="${ctx.prefix}/assets/dashboard.js" defer></script>
</head>
<body>
<header><a class="brand" href="${ctx.prefix}/">${ctx.title}</a><nav>${nav}</nav></header>
<main>
${ctx.flash === undefined ? '' : html`<p class="flash" role="status">${ctx.flash}</p>`}
<h1>${heading}</h1>
${body}
</main>
</body>
</html>
`
}

export interface FormOptions {
  /** Extra fields (hidden unless `inputs` is given). */
  hidden?: Record<string, string | number>
  /** Visible inputs before the button. */
  inputs?: Html
  /** A required "I am sure" checkbox with this label: the server refuses the action without it. */
  confirm?: string
  /** Styles the button as dangerous. */
  danger?: boolean
}

/** A POST form with the CSRF token: works without JavaScript (the server answers with a redirect). */
export function actionForm (ctx: PageContext, action: string, label: string, o: FormOptions = {}): Html {
  const hidden = Object.entries(o.hidden ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)
  const confirm = o.confirm === undefined ? '' : html`<label class="confirm"><input type="checkbox" name="confirm" value="yes" required> ${o.confirm}</label>`
  return html`<form class="action" method="post" action="${action}"><input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf}">${hidden}${o.inputs ?? ''}${confirm}<button type="submit"${o.danger === true ? html` class="danger"` : ''}>${label}</button></form>`
}

/** A table: `head` the column titles, `rows` the cells (each already Html or text to escape). */
export function table (head: readonly string[], rows: ReadonlyArray<readonly unknown[]>, empty = 'Nothing here.'): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`
  return html`<table><thead><tr>${head.map(h => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(r => html`<tr>${r.map(c => html`<td>${c}</td>`)}</tr>`)}</tbody></table>`
}

/** A definition list of label → value. */
export function facts (pairs: ReadonlyArray<readonly [string, unknown]>): Html {
  return html`<dl class="facts">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`
}

/** A timestamp (ms) as ISO text, or '—'. */
export function when (ms: number | undefined | null): string {
  return ms === undefined || ms === null || !Number.isFinite(ms) ? '—' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

/** A value as pretty JSON text (escaped by the caller's template), for job data and metadata. */
export function json (v: unknown): string {
  if (v === undefined) return '—'
  try {
    return JSON.stringify(v, null, 2) ?? String(v)
  } catch {
    return String(v)
  }
}
