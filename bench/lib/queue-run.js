// Queue bench steps shared by the queue case and the A/B script: filling a queue in bulk, and
// timing how fast one of our queues' workers processes no-op jobs.

/** Adds `n` jobs through `addBulk` (a function taking an array of { name, data }), 1,000 a call. */
export async function addMany (addBulk, n) {
  for (let i = 0; i < n; i += 1000) {
    await addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ name: 'job', data: { i: i + j } })))
  }
}

/** Jobs per second of `queue` (a Queue of this package, any build) processing `n` no-op jobs with `concurrency`. */
export async function processRate (queue, concurrency, n) {
  await addMany(jobs => queue.addBulk(jobs), n)
  let done = 0
  let finish
  const finished = new Promise(resolve => { finish = resolve })
  const started = performance.now()
  const worker = queue.process(async () => {}, { concurrency })
  worker.on('completed', () => { if (++done === n) finish() })
  await finished
  const rate = n / ((performance.now() - started) / 1000)
  await worker.close()
  return rate
}
