// Fails when the package's modules (index.ts, lib/, plugins/) import each other in a circle.
// Type-only imports count: a cycle through `import type` still ties two modules' designs
// together, and every cycle this replaced had one (eslint-plugin-import-x's no-cycle skips
// type-only imports, so it would not have seen any of them). A module that needs part of one
// that depends on it declares a small interface of what it needs instead.
// Usage: node scripts/check-cycles.mjs [root]   (part of `npm run lint`)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

const root = resolve(process.argv[2] ?? '.')
const entries = ['index.ts', 'lib', 'plugins']

function walk (p, out) {
  if (!existsSync(p)) return out
  if (statSync(p).isDirectory()) for (const name of readdirSync(p)) walk(join(p, name), out)
  else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p)
  return out
}

const files = entries.flatMap(e => walk(join(root, e), []))
const known = new Set(files)

/** The package file a relative specifier names (`./x.js` is the source `./x.ts`), or null. */
function target (from, spec) {
  if (!spec.startsWith('.')) return null
  const base = resolve(dirname(from), spec)
  for (const c of [base.replace(/\.js$/, '.ts'), base + '.ts', join(base, 'index.ts')]) {
    if (known.has(c)) return c
  }
  return null
}

const edges = new Map()
for (const f of files) {
  // preProcessFile lists every import, `import type`, re-export and dynamic import specifier.
  const { importedFiles } = ts.preProcessFile(readFileSync(f, 'utf8'), true, true)
  edges.set(f, [...new Set(importedFiles.map(i => target(f, i.fileName)).filter(t => t !== null))])
}

// Depth-first search; a back edge to a module on the current path closes a cycle.
const state = new Map() // 1: on the path, 2: done
const path = []
const cycles = []
function visit (f) {
  state.set(f, 1)
  path.push(f)
  for (const t of edges.get(f)) {
    if (state.get(t) === 1) cycles.push([...path.slice(path.indexOf(t)), t])
    else if (state.get(t) === undefined) visit(t)
  }
  path.pop()
  state.set(f, 2)
}
for (const f of files.sort()) if (state.get(f) === undefined) visit(f)

if (cycles.length > 0) {
  for (const c of cycles) console.error('import cycle: ' + c.map(f => relative(root, f)).join(' -> '))
  console.error(`${cycles.length} import cycle(s) in index.ts, lib/, plugins/`)
  process.exit(1)
}
console.log(`no import cycles (${files.length} modules)`)
