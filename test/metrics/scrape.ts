// Reading Prometheus text in the metrics tests: one sample's value, and the list of series.
import type { FastifyInstance } from 'fastify'

export async function scrape (app: FastifyInstance, path = '/metrics'): Promise<string> {
  const res = await app.inject(path)
  if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${res.body}`)
  return res.body
}

/**
 * The value of sample `name` with exactly `labels` (in any order), or 0 when it is absent (a
 * counter nobody moved has no sample for its labels yet).
 */
export function value (text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).sort().map(([k, v]) => `${k}="${v}"`).join(',')
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null || m[1] !== name) continue
    const have = (m[2] ?? '').split(/,(?=[a-zA-Z_]+=")/).filter(p => p !== '').sort().join(',')
    if (have === want) return Number(m[3])
  }
  return 0
}

/** The sample lines' names and labels (no values), sorted: the series a scrape exposes. */
export function series (text: string): string[] {
  return text.split('\n').filter(l => l !== '' && !l.startsWith('#')).map(l => l.slice(0, l.lastIndexOf(' '))).sort()
}
