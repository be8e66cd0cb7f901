// Every queue script opens with a comment block listing its KEYS, its ARGV and its return value
// (the BullMQ convention, STYLE.md), and the KEYS it lists are exactly as many as its file name
// says: the layout lib/queue/calls.ts builds is written down on the Lua side too.
import { test } from 'tap'
import { readdirSync, readFileSync } from 'node:fs'

const dir = new URL('../../lib/queue/', import.meta.url)

test('each lib/queue/*.lua script documents KEYS, ARGV and its return value', async t => {
  const files = readdirSync(dir).filter(f => /^[a-z][a-z0-9-]*-\d+\.lua$/.test(f))
  t.ok(files.length >= 11, 'the scripts were found')
  for (const file of files) {
    const lua = readFileSync(new URL(file, dir), 'utf8')
    const header = /^--\[\[([\s\S]*?)\]\]/.exec(lua)?.[1]
    if (header === undefined) { t.fail(`${file} opens with a --[[ ]] comment block`); continue }
    const keyCount = Number(/-(\d+)\.lua$/.exec(file)?.[1])
    const listed = new Set([...header.matchAll(/KEYS\[(\d+)\]/g)].map(m => Number(m[1])))
    t.strictSame([...listed].sort((a, b) => a - b), Array.from({ length: keyCount }, (_, i) => i + 1), `${file}: KEYS[1..${keyCount}] listed`)
    t.match(header, /ARGV\[1\]/, `${file}: ARGV listed`)
    t.match(header, /Returns /, `${file}: return value documented`)
    t.match(header, /lib\/queue\/calls\.ts/, `${file}: names its builder`)
  }
})
