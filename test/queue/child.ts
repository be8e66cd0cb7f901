// Spawns test/queue/fixtures/worker-child.ts with the same TypeScript loader as the test itself.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

const script = fileURLToPath(new URL('./fixtures/worker-child.ts', import.meta.url))

export interface ChildWorker {
  proc: ChildProcess
  lines: Array<Record<string, unknown>>
  /** Resolves with the first line matching `pred`. */
  waitFor: (pred: (line: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>
  kill: (signal?: NodeJS.Signals) => Promise<void>
}

export async function spawnWorker (t: { teardown: (fn: () => unknown) => void }, env: Record<string, string | number>): Promise<ChildWorker> {
  // The coverage hook of tap is left out: a SIGKILLed child cannot write its report anyway.
  const execArgv = process.execArgv.filter(a => !a.includes('processinfo'))
  const proc = spawn(process.execPath, [...execArgv, script], {
    // Transpile only: the test run has type-checked these files already; a child starts in ~1 s, not ~10.
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const lines: Array<Record<string, unknown>> = []
  const waiters = new Set<{ pred: (l: Record<string, unknown>) => boolean, resolve: (l: Record<string, unknown>) => void }>()
  createInterface({ input: proc.stdout! }).on('line', s => {
    let line: Record<string, unknown>
    try { line = JSON.parse(s) } catch { return }
    lines.push(line)
    for (const w of waiters) if (w.pred(line)) { waiters.delete(w); w.resolve(line) }
  })
  const exited = new Promise<void>(resolve => proc.once('exit', () => resolve()))
  const child: ChildWorker = {
    proc,
    lines,
    waitFor: pred => {
      const found = lines.find(pred)
      if (found !== undefined) return Promise.resolve(found)
      return new Promise(resolve => waiters.add({ pred, resolve }))
    },
    kill: async (signal = 'SIGKILL') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill(signal)
      if (signal === 'SIGKILL') await exited
    }
  }
  t.teardown(() => child.kill('SIGKILL'))
  await child.waitFor(l => l.ready === true)
  return child
}
