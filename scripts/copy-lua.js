// Copies every .lua file of lib/ into <out>/lib/ beside the compiled pattern that loads it, and
// the dashboard's static files (plugins/dashboard/assets/) beside the compiled dashboard
// (out: `dist` for the package, `build` for the example app and dev tools).
import { cpSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const out = process.argv[2] ?? 'dist'

function walk (dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p)
    else if (name.endsWith('.lua')) cpSync(p, join(out, p))
  }
}
walk('lib')
// The example app's recipes keep their scripts beside them too (only in the app's build, not the package).
if (out === 'build') walk('example-app')
cpSync('plugins/dashboard/assets', join(out, 'plugins/dashboard/assets'), { recursive: true })
