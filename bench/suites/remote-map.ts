// remote-map: 1,000,000 tiny items (add one) through map() on 2 agents against map() here on 2
// threads (map-tiny's forkpool). The same call on both sides, isolation 'thread' included (the
// agents honour it: each runs the chunks on a thread pool of its own), so the figure is what the
// queue hop costs map(): its chunks aim at 500 ms with redisBackend() (Backend.chunkTargetMs),
// so the hop is paid once per chunk of up to 10,000 items. (Until the agents honoured the
// isolation, the remote side ran 'process': a fresh Node process per chunk.)

import { ForkManager } from '../../lib/index.js'
import { startRig, workerFile } from '../remote-rig.js'
import type { Suite } from '../suite.js'

const AGENTS = 2
const PER_AGENT = 2
const QUEUE = 'remote-map'

/** The sum of n + 1 over [0, count): what every contender must get. */
const expected = (count: number): number => (count * (count + 1)) / 2

/** Runs items through pm.map() (add-one on threads) and checks every result came back, summing right. */
export async function sumOf(pm: ForkManager, items: number[]): Promise<void> {
  let sum = 0
  let seen = 0
  for await (const r of pm.map<number, number>(items, { worker: workerFile('add-one.js'), isolation: 'thread' })) {
    if (!r.ok) throw new Error(`item ${r.index} failed: ${JSON.stringify(r.error)}`)
    sum += r.data!
    seen++
  }
  if (seen !== items.length || sum !== expected(items.length)) {
    throw new Error(`expected ${items.length} results summing to ${expected(items.length)}, got ${seen} summing to ${sum}`)
  }
}

export const suite: Suite = {
  name: 'remote-map',
  title: '1,000,000 tiny items (add one) through map(): on 2 agents via Redis, and here on 2 threads (quick: 100,000)',
  unit: 'items/s',
  better: 'higher',
  contenders: ['forkpool', 'local-map'],
  requires: { forkpool: 'redis-server' },
  async run(contender, quick) {
    const items = Array.from({ length: quick ? 100_000 : 1_000_000 }, (_, i) => i)
    if (contender === 'local-map') {
      const pm = new ForkManager({ maxProcs: 2 })
      const started = performance.now()
      await sumOf(pm, items)
      const rate = items.length / ((performance.now() - started) / 1000)
      await pm.close()
      return rate
    }
    if (contender !== 'forkpool') throw new Error(`remote-map has no contender ${contender}`)
    // The agents are started before the clock, as a farm's would be; the map's own ramp-up is timed.
    const rig = await startRig()
    try {
      await Promise.all(Array.from({ length: AGENTS }, (_, i) => rig.agent(QUEUE, `agent-${i + 1}`, PER_AGENT)))
      const pm = new ForkManager({
        maxProcs: AGENTS * PER_AGENT, backend: (await import('../../lib/remote/index.js')).redisBackend({ url: rig.url, queue: QUEUE }),
      })
      const started = performance.now()
      await sumOf(pm, items)
      const rate = items.length / ((performance.now() - started) / 1000)
      await pm.close()
      return rate
    } finally {
      await rig.stop()
    }
  },
  targets: [
    {
      describe: 'forkpool (remote) at least half of local-map\'s items/s',
      check: (m) => m['forkpool']! >= 0.5 * m['local-map']!,
      actual: (m) => `${(m['forkpool']! / m['local-map']!).toFixed(2)}x`,
      uses: ['local-map'],
    },
  ],
}
