// Docs that cannot rot (issue 18 item 7): every TypeScript block (```ts, ```typescript, ```tsx) in
// README.md and docs/**/*.md is type-checked as its own ES module, all of them in one strict
// TypeScript program, the package's own specifiers ('fastify-redis-patterns', '…/cache', …)
// resolved through the exports map to the source (no build). Conventions (CONTRIBUTING.md, "Docs
// code blocks"), each marker on the last non-blank line before the block's fence:
//   <!-- typecheck: skip (reason) -->   the block is not checked; the reason is required and reported
//   <!-- typecheck: prelude              hidden declarations prepended to the next block only
//   declare const db: …
//   -->
// `app` (a FastifyInstance, every plugin's decorators on it) and `redis` (an ioredis Redis) are
// declared for every block; a block that declares its own shadows them.
import { test } from 'tap'
import ts from 'typescript'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')

const TS_LANGS = new Set(['ts', 'typescript', 'tsx'])
const JS_LANGS = new Set(['js', 'javascript', 'mjs', 'jsx'])
const OUR_IMPORT = /['"]fastify-redis-patterns(\/[\w-]+)?['"]/
const GLOBALS = [
  "declare const app: import('fastify').FastifyInstance",
  "declare const redis: import('ioredis').Redis",
  ''
].join('\n')

interface Block {
  /** Where it is: the doc (relative to the repo) and the fence's line (1-based). */
  doc: string
  line: number
  tsx: boolean
  /** The module's text: the prelude's lines, then the block's; mdLines[i] is line i's line in the doc. */
  text: string
  mdLines: number[]
}
interface Skip { doc: string, line: number, reason: string }
interface Extracted { blocks: Block[], skips: Skip[], problems: string[] }

type Marker = { kind: 'skip', line: number, reason: string } | { kind: 'prelude', line: number, code: string[], mdLines: number[] }

/** The TypeScript blocks of one Markdown file, the skipped ones, and any malformed marker. */
function extract (doc: string, markdown: string): Extracted {
  const lines = markdown.split(/\r?\n/)
  const out: Extracted = { blocks: [], skips: [], problems: [] }
  let pending: Marker | null = null
  const problem = (line: number, message: string): void => { out.problems.push(`${doc}:${line}: ${message}`) }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s`{]*)/.exec(line)
    if (fence !== null) {
      const [, indent, marks, info] = fence
      const code: string[] = []
      const mdLines: number[] = []
      const close = new RegExp(`^\\s*${marks[0]}{${marks.length},}\\s*$`)
      let j = i + 1
      for (; j < lines.length && !close.test(lines[j]); j++) {
        code.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart())
        mdLines.push(j + 1)
      }
      const isTs = TS_LANGS.has(info.toLowerCase())
      if (j === lines.length && isTs) problem(i + 1, 'unclosed code fence')
      const marker: Marker | null = pending
      pending = null
      if (!isTs) {
        if (marker !== null) problem(marker.line, `a typecheck ${marker.kind} marker before a block that is not TypeScript (\`\`\`${info})`)
        if (JS_LANGS.has(info.toLowerCase()) && code.some(l => OUR_IMPORT.test(l))) problem(i + 1, `an example of our API fenced as \`\`\`${info}: make it \`\`\`ts`)
      } else if (marker?.kind === 'skip') {
        out.skips.push({ doc, line: i + 1, reason: marker.reason })
      } else {
        const prelude = marker?.kind === 'prelude' ? marker : { code: [], mdLines: [] }
        out.blocks.push({
          doc,
          line: i + 1,
          tsx: info.toLowerCase() === 'tsx',
          text: [...prelude.code, ...code].join('\n') + '\n',
          mdLines: [...prelude.mdLines, ...mdLines]
        })
      }
      i = j
      continue
    }
    if (/^\s*<!--\s*typecheck\b/i.test(line)) {
      if (pending !== null) problem(pending.line, `a typecheck ${pending.kind} marker not directly before a code block`)
      pending = null
      const m = /^\s*<!--\s*typecheck:\s*(skip|prelude)\b(.*)$/.exec(line)
      if (m === null) {
        problem(i + 1, 'unknown typecheck marker: use <!-- typecheck: skip (reason) --> or <!-- typecheck: prelude … -->')
        continue
      }
      const [, kind, rest] = m
      if (kind === 'skip') {
        const reason = /^\s*\((.*)\)\s*-->\s*$/.exec(rest)?.[1].trim() ?? ''
        if (reason === '') problem(i + 1, 'a typecheck skip marker needs a reason: <!-- typecheck: skip (why this block cannot compile) -->')
        else pending = { kind: 'skip', line: i + 1, reason }
        continue
      }
      const code: string[] = []
      const mdLines: number[] = []
      let j = i
      let text = rest
      for (;;) {
        const end = text.indexOf('-->')
        const part = end === -1 ? text : text.slice(0, end)
        if (part.trim() !== '') { code.push(part); mdLines.push(j + 1) }
        if (end !== -1) break
        if (++j === lines.length) { problem(i + 1, 'unclosed typecheck prelude comment'); break }
        text = lines[j]
      }
      pending = { kind: 'prelude', line: i + 1, code, mdLines }
      i = j
      continue
    }
    if (pending !== null && line.trim() !== '') {
      problem(pending.line, `a typecheck ${pending.kind} marker not directly before a code block`)
      pending = null
    }
  }
  if (pending !== null) problem(pending.line, `a typecheck ${pending.kind} marker not directly before a code block`)
  return out
}

function docFiles (): string[] {
  const docs = join(root, 'docs')
  const found = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.md')).map(f => join('docs', f)).sort()
    : []
  return ['README.md', ...found]
}

/** paths for every subpath export: its `types` under dist/ mapped back to the source file. */
function exportPaths (): Record<string, string[]> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string, exports: Record<string, { types?: string } | string> }
  const paths: Record<string, string[]> = {}
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string' || target.types === undefined) continue
    const spec = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`
    paths[spec] = [join(root, target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'))]
  }
  return paths
}

const virtualName = (b: Block, n: number): string =>
  join(root, `${b.doc}.block-${b.line}-${n}.${b.tsx ? 'tsx' : 'ts'}`)

/** One program over every block (and the canary's); returns each block's diagnostics, mapped to its doc. */
function typecheck (blocks: Block[], paths: Record<string, string[]>): {
  errors: Map<Block, string[]>, general: string[], resolve: (spec: string, from: string) => string | undefined
} {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    moduleDetection: ts.ModuleDetectionKind.Force,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    jsx: ts.JsxEmit.Preserve,
    types: ['node'],
    paths
  }
  const files = new Map<string, { text: string, block?: Block }>()
  const globals = join(root, 'docs-typecheck-globals.d.ts')
  files.set(globals, { text: GLOBALS })
  blocks.forEach((b, n) => files.set(virtualName(b, n), { text: b.text, block: b }))
  const host = ts.createCompilerHost(options, true)
  const { getSourceFile, fileExists, readFile } = host
  host.fileExists = name => files.has(name) || fileExists.call(host, name)
  host.readFile = name => files.get(name)?.text ?? readFile.call(host, name)
  host.getSourceFile = (name, language, onError, create) => {
    const file = files.get(name)
    return file !== undefined ? ts.createSourceFile(name, file.text, language, true) : getSourceFile.call(host, name, language, onError, create)
  }
  // index.ts brings every plugin's declaration merging (decorators, route config) into the program.
  const program = ts.createProgram([join(root, 'index.ts'), globals, ...files.keys()].filter((f, i, all) => all.indexOf(f) === i), options, host)

  const errors = new Map<Block, string[]>()
  const general = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  for (const [name, file] of files) {
    const sf = program.getSourceFile(name)
    if (sf === undefined) { general.push(`${name} is not in the program`); continue }
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
    const b = file.block
    if (b === undefined) {
      general.push(...diagnostics.map(d => `${relative(root, name)}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`))
      continue
    }
    errors.set(b, diagnostics.map(d => {
      let where = `${b.doc}:${b.line}`
      if (d.start !== undefined) {
        const { line, character } = sf.getLineAndCharacterOfPosition(d.start)
        where = `${b.doc}:${b.mdLines[line] ?? b.line}:${character + 1}`
      }
      return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`
    }))
  }
  const resolve = (spec: string, from: string): string | undefined =>
    ts.resolveModuleName(spec, from, options, host, undefined, undefined, ts.ModuleKind.ESNext).resolvedModule?.resolvedFileName
  return { errors, general, resolve }
}

// A doc of known content, compiled in the same program: proves the checker finds real errors at
// the right lines, resolves the package to its source, and enforces the markers.
const CANARY = [
  'A canary.', //                                                          1
  '<!-- typecheck: prelude', //                                            2
  'declare const limit: number', //                                        3
  '-->', //                                                                4
  '```ts', //                                                              5
  "import { redisCache } from 'fastify-redis-patterns/cache'", //          6
  'const n: string = limit', //                                            7
  'await app.register(redisCache, { ttl: true })', //                      8
  'export { n }', //                                                       9
  '```', //                                                               10
  '<!-- typecheck: skip -->', //                                          11
  '```ts', //                                                             12
  'limit', //                                                             13
  '```', //                                                               14
  '<!-- typecheck: skip (a fragment of the block above) -->', //          15
  '', //                                                                  16
  '```typescript', //                                                     17
  'limit.toFixed(', //                                                    18
  '```', //                                                               19
  '```sh', //                                                             20
  'not typescript', //                                                    21
  '```', //                                                               22
  '```ts', //                                                             23
  "const s: number = await redis.get('k')", //                            24
  '```', //                                                               25
  ''
].join('\n')

test('every TypeScript block in README.md and docs/*.md type-checks', async t => {
  const docs = docFiles()
  const canary = extract('canary.md', CANARY)
  const extracted = docs.map(doc => extract(doc, readFileSync(join(root, doc), 'utf8')))
  const blocks = extracted.flatMap(e => e.blocks)
  const skips = extracted.flatMap(e => e.skips)
  const paths = exportPaths()
  const { errors, general, resolve } = typecheck([...canary.blocks, ...blocks], paths)

  t.test('the checker itself', async t => {
    t.strictSame(canary.problems, ['canary.md:11: a typecheck skip marker needs a reason: <!-- typecheck: skip (why this block cannot compile) -->'],
      'a skip without a reason is an error')
    t.strictSame(canary.skips, [{ doc: 'canary.md', line: 17, reason: 'a fragment of the block above' }], 'a skip with a reason skips its block')
    t.equal(canary.blocks.length, 3, 'ts blocks are checked, others are not (an invalid skip skips nothing)')
    const [first, , last] = canary.blocks
    const codes = (b: Block): string[] => (errors.get(b) ?? []).map(e => e.replace(/^(\S+) (TS\d+):.*$/s, '$1 $2'))
    t.strictSame(codes(first), ['canary.md:7:7 TS2322', 'canary.md:8:34 TS2769'],
      'errors are found at their doc line; the prelude is declared; the plugin is typed from source')
    t.strictSame(codes(last), ['canary.md:24:7 TS2322'], '`redis` is declared for every block, typed')
    t.strictSame(extract('x.md', '<!-- typecheck: skip (why) -->\ntext\n```ts\nx\n```\n').problems, ['x.md:1: a typecheck skip marker not directly before a code block'],
      'a marker must be directly before its block')
    t.strictSame(extract('x.md', '<!-- typecheck: skp (why) -->\n```ts\n```\n').problems.length, 1, 'an unknown marker is an error')
    t.strictSame(extract('x.md', "```js\nimport { redisLock } from 'fastify-redis-patterns/lock'\n```\n").problems, ['x.md:1: an example of our API fenced as ```js: make it ```ts'],
      'an example of our API must be TypeScript')
    t.ok(Object.keys(paths).length >= 7, `the exports map's subpaths: ${Object.keys(paths).join(', ')}`)
    for (const [spec, [source]] of Object.entries(paths)) {
      t.equal(resolve(spec, join(root, 'README.md.ts')), source, `${spec} resolves to ${relative(root, source)}`)
    }
  })

  t.strictSame(extracted.flatMap(e => e.problems), [], 'every typecheck marker is well formed and directly before a TypeScript block')
  t.strictSame(general, [], 'no option or global diagnostics')
  t.ok(blocks.length > 0, `${blocks.length} TypeScript blocks in ${docs.join(', ')}`)
  for (const b of blocks) t.strictSame(errors.get(b), [], `${b.doc}:${b.line} type-checks`)
  t.comment(`${blocks.length} blocks checked, ${skips.length} skipped${skips.length > 0 ? ':' : ''}`)
  for (const s of skips) t.comment(`  skipped ${s.doc}:${s.line} (${s.reason})`)
})
