#!/usr/bin/env node
// Mutation drill: breaks one guarantee at a time (see mutants.mjs) in a scratch copy of the repo
// and checks that the tests named for it fail. A mutant the tests let through is a missing test.
//
//   npm run test:mutations                 every mutant, one after the other
//   npm run test:mutations -- --only <id>  one mutant (repeatable: --only a --only b)
//   npm run test:mutations -- --list       the mutants, without running anything
//   npm run test:mutations -- --check      checks that every mutant applies (no tests run)
//   npm run test:mutations -- --baseline   first runs the chosen mutants' test files unmutated
//                                          (they must pass, or a "kill" proves nothing)
//
// Not part of `npm test`: it runs test files many times over and takes a while.
// Exit code: 0 when every mutant was killed; 1 when one survived or did not apply.
import { spawn, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mutants } from './mutants.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
// Per test file: tap's own timeout, and a hard stop in case tap itself hangs.
const FILE_TIMEOUT_S = 180
const TAP = join(root, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs')
const HARD_TIMEOUT_MS = (FILE_TIMEOUT_S + 60) * 1000

function parseArgs (argv) {
  const only = []
  let list = false
  let keep = false
  let check = false
  let baseline = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--only') {
      if (argv[i + 1] === undefined) throw new Error('--only needs a mutant id')
      only.push(argv[++i])
    } else if (a.startsWith('--only=')) only.push(a.slice(7))
    else if (a === '--list') list = true
    else if (a === '--keep') keep = true
    else if (a === '--check') check = true
    else if (a === '--baseline') baseline = true
    else throw new Error(`unknown argument ${a}`)
  }
  return { only, list, keep, check, baseline }
}

/** A mutant's edits: its own file/find/replace, or its `edits` list. */
function editsOf (m) {
  return m.edits ?? [{ file: m.file, find: m.find, replace: m.replace }]
}

/** Checks the mutant list itself: unique ids and every field present. */
function validate (list) {
  const seen = new Set()
  for (const m of list) {
    for (const f of ['id', 'guarantee', 'tests']) {
      if (m[f] === undefined) throw new Error(`mutant ${m.id ?? '?'}: missing "${f}"`)
    }
    if (seen.has(m.id)) throw new Error(`mutant ${m.id}: duplicate id`)
    seen.add(m.id)
    if (!Array.isArray(m.tests) || m.tests.length === 0) throw new Error(`mutant ${m.id}: "tests" must list at least one test file`)
    if (m.edits !== undefined && (!Array.isArray(m.edits) || m.edits.length === 0 || m.file !== undefined)) {
      throw new Error(`mutant ${m.id}: "edits" must be a non-empty list, and replaces file/find/replace`)
    }
    for (const e of editsOf(m)) {
      for (const f of ['file', 'find', 'replace']) {
        if (typeof e[f] !== 'string') throw new Error(`mutant ${m.id}: missing "${f}"`)
      }
      if (e.find === e.replace) throw new Error(`mutant ${m.id}: replace equals find`)
    }
  }
}

/**
 * The mutated text of every file `m` touches, read from the pristine tree, or the reasons it does
 * not apply (a `find` must match exactly once).
 */
function mutate (m) {
  const files = new Map()
  const problems = []
  for (const e of editsOf(m)) {
    const text = files.get(e.file) ?? readFileSync(join(root, e.file), 'utf8')
    const n = count(text, e.find)
    if (n !== 1) problems.push(`${e.file}: "find" matches ${n} times, must match once`)
    else files.set(e.file, text.replace(e.find, () => e.replace))
  }
  return { files, problems }
}

/** The number of times `needle` occurs in `hay` (non-overlapping). */
function count (hay, needle) {
  let n = 0
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++
  return n
}

/** A copy of the working tree (tracked and untracked-but-not-ignored files) with node_modules linked. */
function scratchCopy () {
  const dir = mkdtempSync(join(tmpdir(), 'frp-mutations-'))
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0').filter(f => f !== '' && f !== 'node_modules' && !f.startsWith('node_modules/'))
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true })
    try {
      cpSync(join(root, f), join(dir, f))
    } catch (err) {
      if (err.code !== 'ENOENT') throw err // deleted in the work tree but not yet in git
    }
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

/** The first failure the terse reporter names ("✖ suite > test > assertion"), for the report. */
function firstFailure (output) {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
  const m = /^\s*✖ (.+)$/m.exec(plain) ?? /^\s*Bail ?out! (.+)$/mi.exec(plain) ?? /\[drill\] (.+)$/m.exec(plain)
  return m === null ? '' : m[1].trim().replace(/^\((.*)\)$/, '$1').slice(0, 160)
}

// What an interrupted drill (Ctrl-C) must clean up: the running test's process group and the copy.
const running = { child: null, dir: null }
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    if (running.child !== null) try { process.kill(-running.child.pid, 'SIGKILL') } catch {}
    if (running.dir !== null) rmSync(running.dir, { recursive: true, force: true })
    process.exit(130)
  })
}

/** Runs one test file in `cwd`; resolves { ok, output }. */
function runTest (cwd, file) {
  return new Promise(resolve => {
    // --bail: a killed mutant needs one failing assertion, not the rest of the file.
    const child = spawn(process.execPath, [TAP, '--disable-coverage', '--bail', `--timeout=${FILE_TIMEOUT_S}`, '--reporter=terse', file], {
      cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, FORCE_COLOR: '0' }
    })
    running.child = child
    let output = ''
    child.stdout.on('data', d => { output += d })
    child.stderr.on('data', d => { output += d })
    const timer = setTimeout(() => {
      output += `\n[drill] ${file} still running after ${HARD_TIMEOUT_MS / 1000} s: killed\n`
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
    }, HARD_TIMEOUT_MS)
    child.on('close', code => {
      clearTimeout(timer)
      running.child = null
      resolve({ ok: code === 0, output })
    })
  })
}

async function main () {
  const { only, list, keep, check, baseline } = parseArgs(process.argv.slice(2))
  validate(mutants)
  if (list) {
    for (const m of mutants) console.log(`${m.id.padEnd(40)} ${m.guarantee}`)
    return 0
  }
  if (check) {
    let bad = 0
    for (const m of mutants) {
      const missing = m.tests.filter(t => !existsSync(join(root, t)))
      const { problems } = mutate(m)
      if (missing.length > 0) console.log(`MISSING TEST ${m.id}  ${missing.join(' ')}`)
      if (problems.length > 0) console.log(`NOT APPLIED ${m.id}  (${problems.join('; ')})`)
      if (missing.length > 0 || problems.length > 0) bad++
    }
    console.log(`mutants: ${mutants.length - bad} of ${mutants.length} apply`)
    return bad === 0 ? 0 : 1
  }
  for (const id of only) if (!mutants.some(m => m.id === id)) throw new Error(`no mutant "${id}" (see --list)`)
  const chosen = only.length > 0 ? mutants.filter(m => only.includes(m.id)) : mutants

  const dir = scratchCopy()
  running.dir = dir
  let killed = 0
  const bad = []
  try {
    if (baseline) {
      for (const file of [...new Set(chosen.flatMap(m => m.tests))]) {
        const r = await runTest(dir, file)
        console.log(`baseline ${r.ok ? 'pass' : 'FAIL'}  ${file}`)
        if (!r.ok) {
          console.log(r.output)
          throw new Error(`${file} fails without any mutant: fix it before the drill`)
        }
      }
    }
    for (const m of chosen) {
      const { files, problems } = mutate(m)
      if (problems.length > 0) {
        console.log(`NOT APPLIED ${m.id}  (${problems.join('; ')})`)
        bad.push(m.id)
        continue
      }
      for (const [file, text] of files) writeFileSync(join(dir, file), text)
      let by = null
      let why = ''
      let lastOutput = ''
      try {
        for (const file of m.tests) {
          const r = await runTest(dir, file)
          if (!r.ok) { by = file; why = firstFailure(r.output); break }
          lastOutput = r.output
        }
      } finally {
        for (const file of files.keys()) writeFileSync(join(dir, file), readFileSync(join(root, file)))
      }
      if (by !== null) {
        killed++
        console.log(`killed   ${m.id}  by ${by}${why === '' ? '' : `  (${why})`}`)
      } else {
        bad.push(m.id)
        console.log(`SURVIVED ${m.id}  (${m.guarantee})`)
        if (process.env.DRILL_VERBOSE === '1') console.log(lastOutput)
      }
    }
  } finally {
    if (keep) console.log(`scratch copy kept at ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
  console.log(`mutants: ${killed} killed of ${chosen.length}`)
  return bad.length === 0 ? 0 : 1
}

main().then(code => { process.exitCode = code }, err => {
  console.error(`mutation drill: ${err.message}`)
  process.exitCode = 2
})
