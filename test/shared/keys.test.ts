import { test } from 'tap'
import { keySpace, escapeTag } from '../../lib/shared/keys.js'

test('builds prefix:pattern:{tag}:rest keys', async t => {
  const ks = keySpace('app', 'lock')
  t.equal(ks.base, 'app:lock')
  t.equal(ks.tagged('order:1'), 'app:lock:{order:1}')
  t.equal(ks.key('order:1'), 'app:lock:{order:1}')
  t.equal(ks.key('order:1', 'fence'), 'app:lock:{order:1}:fence')
  t.equal(ks.key('q', 'job', 42), 'app:lock:{q}:job:42')
})

test('escapes braces in tags so every key of an object keeps one slot', async t => {
  t.equal(escapeTag('a{b}c%'), 'a%7Bb%7Dc%25')
  t.equal(escapeTag('plain'), 'plain')
  const ks = keySpace('app', 'cache')
  t.equal(ks.key('{x}', 'v'), 'app:cache:{%7Bx%7D}:v')
  t.not(escapeTag('a%7B'), escapeTag('a{'), 'escaping is injective')
})

test('rejects empty parts and braces in the fixed parts', async t => {
  t.throws(() => keySpace('', 'cache'), { code: 'FRP_INVALID_KEY', message: /prefix/ })
  t.throws(() => keySpace('app', ''), { code: 'FRP_INVALID_KEY', message: /pattern/ })
  t.throws(() => keySpace('a{pp}', 'cache'), { code: 'FRP_INVALID_KEY', message: /prefix/ })
  const ks = keySpace('app', 'cache')
  t.throws(() => ks.key(''), { code: 'FRP_INVALID_KEY', message: /tag/ })
  t.throws(() => ks.key('x', ''), { code: 'FRP_INVALID_KEY', message: /key part/ })
  t.throws(() => ks.key(undefined as never), { code: 'FRP_INVALID_KEY' })
})
