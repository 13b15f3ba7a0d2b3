// map-memory: peak parent RSS while 1,000,000 items stream from an async generator through map()
// on 2 threads. Backpressure keeps what is held bounded however long the input; 'stream' is the
// same generator consumed in this process with no workers, the floor of a Node process doing it.

import { ForkManager } from '../../lib/index.js'
import type { Suite } from '../suite.js'

const ADD_ONE = new URL('../../workers/add-one.js', import.meta.url)

/** Items as a file's lines might arrive: one at a time, from an async source. */
async function* numbers(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) yield i
}

const peakMB = (): number => process.resourceUsage().maxRSS / 1024

export const suite: Suite = {
  name: 'map-memory',
  title: 'peak parent RSS for 1,000,000 items streamed from an async generator through map() on 2 threads',
  unit: 'MB',
  better: 'lower',
  contenders: ['forkpool', 'stream'],
  async run(contender, quick) {
    const count = quick ? 100_000 : 1_000_000
    let sum = 0
    let seen = 0
    if (contender === 'forkpool') {
      const pm = new ForkManager({ maxProcs: 2 })
      for await (const r of pm.map<number, number>(numbers(count), { worker: ADD_ONE, isolation: 'thread' })) {
        if (!r.ok) throw new Error(`item ${r.index} failed: ${JSON.stringify(r.error)}`)
        sum += r.data!
        seen++
      }
      await pm.close()
    } else if (contender === 'stream') {
      for await (const n of numbers(count)) {
        sum += n + 1
        seen++
      }
    } else {
      throw new Error(`map-memory has no contender ${contender}`)
    }
    if (seen !== count || sum !== (count * (count + 1)) / 2) throw new Error(`expected ${count} results, got ${seen} summing to ${sum}`)
    return peakMB()
  },
  targets: [{ describe: 'forkpool under 200 MB', check: (m) => m['forkpool']! < 200 }],
}
