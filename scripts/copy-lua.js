// Copies every .lua file of lib/ into dist/lib/ beside the compiled pattern that loads it.
import { cpSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function walk (dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p)
    else if (name.endsWith('.lua')) cpSync(p, join('dist', p))
  }
}
walk('lib')
