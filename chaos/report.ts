// The soak's one table (markdown, so a run can be pasted into docs/failover.md as it is) and its legend.
import type { SoakReport } from './soak.js'

const LEGEND = [
  'Invariants (checked after the faults stopped, the deployment healed and the load stopped):',
  '- cache: two instances with L1 and the invalidation bus; once both buses are live again, no L1 entry older than its key\'s last confirmed invalidation survives, and a write-through then an invalidation are seen by both instances.',
  '- session: every session whose save was confirmed reads back with at least that save (needs `durability`; without it the losses are counted, n/a).',
  '- rate limit: sliding window, 20 per 1 s on 4 keys; in any 1 s a key is admitted at most limit + one window\'s worth (40), the bound during a failover.',
  '- lock: no two holders of a resource at once unless the earlier is told FRP_LOCK_LOST; fencing tokens strictly increase per resource over the whole run.',
  '- leaderboard: every confirmed score is still there (needs `durability`; otherwise counted, n/a).',
  '- queue: every job whose add resolved ran to the end at least once after the drain (needs `durability`; otherwise counted, n/a); no job ran in two workers at once for longer than the lease.',
  'Longest outage: the longest stretch with no successful operation of that pattern while the load ran.'
]

/** What a caller sees while Redis is away or a write is not replicated: the errors of an outage. */
const EXPECTED = new Set(['FRP_REDIS_UNAVAILABLE', 'FRP_REDIS_TIMEOUT', 'FRP_RATE_LIMIT_STORE', 'FRP_SESSION_UNAVAILABLE', 'FRP_NOT_REPLICATED', 'FAILED_OPEN', 'FRP_LOCK_LOST'])

function seconds (ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** The error count with its commonest codes: what a caller of the pattern saw. */
function errors (n: number, codes: Record<string, number>): string {
  const top = Object.entries(codes).sort((a, b) => b[1] - a[1])
  if (top.length === 0) return '0'
  const shown = top.slice(0, 2).map(([code, k]) => `${code} ${k.toLocaleString('en-US')}`)
  if (top.length > 2) shown.push('…')
  return `${n.toLocaleString('en-US')} (${shown.join(', ')})`
}

export function renderReport (r: SoakReport): string {
  const counts = new Map<string, number>()
  for (const f of r.faults) counts.set(f.fault, (counts.get(f.fault) ?? 0) + 1)
  const failed = r.faults.filter(f => f.failed)
  const lines = [
    `Chaos soak · ${r.description} · ${seconds(r.durationMs)} of faults · seed ${r.seed}`,
    `Durability (queue, sessions, boards): ${r.durability === null ? 'not in this version of the package' : `{ replicas: ${r.durability.replicas}, timeout: ${r.durability.timeout} }`}`,
    `Faults: ${r.faults.length} (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})${failed.length > 0 ? `, ${failed.length} failed: ${failed.map(f => `${f.fault} at ${f.at} s: ${f.detail}`).join('; ')}` : ''}`,
    '',
    '| pattern | ops | errors | longest outage | invariants |',
    '|---|--:|--:|--:|---|'
  ]
  for (const p of r.patterns) {
    const verdicts = p.verdicts.map(v => `${v.invariant}: **${v.status}** (${v.detail})`).join('<br>')
    lines.push(`| ${p.pattern} | ${p.ops.toLocaleString('en-US')} | ${errors(p.errors, p.codes)} | ${seconds(p.longestOutageMs)} | ${verdicts} |`)
  }
  const odd = r.patterns.flatMap(p => Object.entries(p.samples).filter(([code]) => !EXPECTED.has(code)).map(([code, message]) => `- ${p.pattern} ${code}: ${message}`))
  if (odd.length > 0) lines.push('', 'Errors other than an outage\'s (first of each):', ...odd)
  lines.push('', ...LEGEND, '')
  for (const p of r.problems) lines.push(`Problem: ${p}`)
  const broken = r.patterns.flatMap(p => p.verdicts.filter(v => v.status === 'broken').map(v => `${p.pattern}: ${v.invariant}`))
  lines.push(r.ok ? 'Result: every invariant held.' : `Result: BROKEN (${[...broken, ...r.problems].join('; ')}). Replay the schedule with --seed ${r.seed}.`)
  return lines.join('\n')
}
