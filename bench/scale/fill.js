// Fill helpers for the scale bench: run a write for many entities with many calls in flight, and
// clone entities written by a library (DUMP + RESTORE: byte-identical values, encodings and TTLs)
// when the library's own path needs many calls per entity.

/** Runs `fn(i)` for i in [from, to) with `inFlight` calls pending at once. */
export async function pooled (from, to, inFlight, fn) {
  let next = from
  await Promise.all(Array.from({ length: Math.min(inFlight, to - from) }, async () => {
    for (;;) {
      const i = next++
      if (i >= to) return
      await fn(i)
    }
  }))
}

/**
 * Copies the key `templateKey(i % templates)` to `cloneKey(i)` for i in [from, to), by DUMP and
 * RESTORE with the template's remaining PTTL. Templates must already exist (written by the
 * library's normal path); clones at template indexes are skipped (they are the templates).
 */
export async function cloneKeys (redis, { from, to, templates, templateKey, cloneKey, batch = 2000 }) {
  const dumps = []
  for (let t = 0; t < templates; t += batch) {
    const p = redis.pipeline()
    for (let j = t; j < Math.min(templates, t + batch); j++) {
      p.dumpBuffer(templateKey(j))
      p.pttl(templateKey(j))
    }
    const r = await p.exec()
    for (let j = 0; j < r.length; j += 2) {
      if (r[j][1] === null) throw new Error(`template key ${templateKey(t + j / 2)} is missing`)
      dumps.push([r[j][1], Math.max(0, r[j + 1][1])])
    }
  }
  const start = Math.max(from, templates)
  // A few pipelines in flight: Redis works on one while the next is on the wire.
  await pooled(0, Math.ceil((to - start) / batch), 4, async b => {
    const p = redis.pipeline()
    for (let j = start + b * batch; j < Math.min(to, start + (b + 1) * batch); j++) {
      const [payload, ttl] = dumps[j % templates]
      p.restore(cloneKey(j), ttl, payload, 'REPLACE')
    }
    for (const [err] of await p.exec()) if (err) throw err
  })
}
