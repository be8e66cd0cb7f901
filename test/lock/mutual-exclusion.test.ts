// Mutual exclusion across processes: 8 child processes × 200 read-modify-write increments of a
// plain Redis key, each under the lock, must add up exactly (no lost update).
import { test } from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { startRedis, startCluster, topologies } from '../helpers/redis.js'
import { transpile } from '../fixtures/lock/transpile.js'

const PROCESSES = 8
const INCREMENTS = 200

function runChild (script: string, mode: string, address: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, mode, address, String(INCREMENTS)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout.on('data', d => { out += d })
    p.stderr.on('data', d => { err += d })
    p.once('exit', code => code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}: ${err}`)))
  })
}

test('mutual exclusion across processes', async t => {
  const build = transpile(['lib/lock', 'lib/shared', 'test/fixtures/lock'])
  t.teardown(build.cleanup)
  const script = join(build.dir, 'test/fixtures/lock/increment-child.js')

  for (const topology of topologies()) {
    await t.test(`${topology}: ${PROCESSES} processes x ${INCREMENTS} locked increments add up exactly`, async t => {
      let address: string
      let read: () => Promise<string | null>
      if (topology === 'cluster') {
        const cluster = await startCluster(t)
        const c = cluster.client()
        address = `${cluster.nodes[0].host}:${cluster.nodes[0].port}`
        read = () => c.get('{counter}:value')
      } else {
        const redis = await startRedis(t)
        const c = redis.client()
        address = `${redis.host}:${redis.port}`
        read = () => c.get('{counter}:value')
      }
      const outputs = await Promise.all(Array.from({ length: PROCESSES }, () => runChild(script, topology, address)))
      t.comment(outputs.join('').trim())
      for (const out of outputs) t.match(out, new RegExp(`^done:${INCREMENTS}:`), 'the child finished all its increments')
      t.equal(await read(), String(PROCESSES * INCREMENTS), 'the exact total: no two holders at once')
    })
  }
})
