// Copies every .lua file of lib/ into <out>/lib/ beside the compiled pattern that loads it
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
