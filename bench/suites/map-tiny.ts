// map-tiny: 1,000,000 tiny items (add one) on 2 threads. What auto-chunking buys: forkpool's map()
// sends chunks and unpacks per-item results; raw piscina pays a message round trip per item, one
// task in flight per thread, or four (concurrentTasksPerWorker, the setting the issue names); and
// the plain loop in this thread is raw Node, the cost of the work itself, not a peer pool: adding
// one is cheaper than moving an item to another thread, so no pool can reach it.

import { Piscina } from 'piscina'
import addOne from '../../workers/add-one.js'
import { ForkManager } from '../../lib/index.js'
import type { Suite } from '../suite.js'

const THREADS = 2
const ADD_ONE = new URL('../../workers/add-one.js', import.meta.url)

/** The sum of n + 1 over [0, count): what every contender must get. */
const expected = (count: number): number => (count * (count + 1)) / 2

function check(sum: number, seen: number, count: number): void {
  if (seen !== count || sum !== expected(count)) {
    throw new Error(`expected ${count} results summing to ${expected(count)}, got ${seen} summing to ${sum}`)
  }
}

async function forkpool(items: number[]): Promise<void> {
  const pm = new ForkManager({ maxProcs: THREADS })
  let sum = 0
  let seen = 0
  for await (const r of pm.map<number, number>(items, { worker: ADD_ONE, isolation: 'thread' })) {
    if (!r.ok) throw new Error(`item ${r.index} failed: ${JSON.stringify(r.error)}`)
    sum += r.data!
    seen++
  }
  await pm.close()
  check(sum, seen, items.length)
}

async function piscina(items: number[], concurrentTasksPerWorker: number): Promise<void> {
  const pool = new Piscina({ filename: ADD_ONE.href, minThreads: THREADS, maxThreads: THREADS, concurrentTasksPerWorker })
  // One task per item, with a bounded window in flight (all at once would only grow piscina's queue).
  let next = 0
  let sum = 0
  let seen = 0
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < items.length) {
      const value = (await pool.run(items[next++])) as number
      sum += value
      seen++
    }
  }))
  await pool.close()
  check(sum, seen, items.length)
}

function loop(items: number[]): void {
  let sum = 0
  let seen = 0
  for (const item of items) {
    sum += addOne(item)
    seen++
  }
  check(sum, seen, items.length)
}

export const suite: Suite = {
  name: 'map-tiny',
  title: '1,000,000 tiny items (add one) on 2 threads',
  unit: 'items/s',
  better: 'higher',
  contenders: ['forkpool', 'piscina', 'piscina-c4', 'loop'],
  async run(contender, quick) {
    const items = Array.from({ length: quick ? 100_000 : 1_000_000 }, (_, i) => i)
    const started = performance.now()
    if (contender === 'forkpool') await forkpool(items)
    else if (contender === 'piscina') await piscina(items, 1)
    else if (contender === 'piscina-c4') await piscina(items, 4)
    else if (contender === 'loop') loop(items)
    else throw new Error(`map-tiny has no contender ${contender}`)
    return items.length / ((performance.now() - started) / 1000)
  },
  targets: [
    { describe: 'forkpool at least 5x raw piscina', check: (m) => m['forkpool']! >= 5 * m['piscina']! },
    // The peers are the pools; 'loop' is the raw-Node floor (see the top of this file).
    {
      describe: 'forkpool ahead of every peer pool',
      check: (m) => Object.entries(m).every(([name, figure]) => name === 'forkpool' || name === 'loop' || m['forkpool']! > figure),
    },
  ],
}
