// thread-noop: 100,000 no-op tasks (each returns its input) on 2 threads — the cost of a pool per task.
import { ForkManager } from '../../lib/index.js'
import { openPool, PEERS, type PeerName } from '../peers/pools.js'
import type { Suite } from '../suite.js'
import { needAll, timeMs, workerFile } from '../support.js'

const THREADS = 2
const NOOP = workerFile('noop')
const tasks = (quick: boolean): number => (quick ? 1_000 : 100_000)

async function forkpool(n: number): Promise<number> {
  const pm = new ForkManager({ maxProcs: THREADS })
  let ok = 0
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) {
      const handle = await pm.start(String(i), { worker: NOOP, data: i, isolation: 'thread' })
      void handle.result.then((r) => {
        if (r.data === i && r.exitCode === 0) ok++
      })
    }
    await pm.waitAllChildren()
  })
  await pm.close()
  needAll('forkpool', ok, n)
  return (n / ms) * 1000
}

async function peer(name: PeerName, n: number): Promise<number> {
  let ok = 0
  let pool: Awaited<ReturnType<typeof openPool>> | undefined
  const ms = await timeMs(async () => {
    pool = await openPool(name, THREADS, 'noop')
    const done: Array<Promise<void>> = []
    for (let i = 0; i < n; i++) {
      done.push(pool.run(i).then((value) => {
        if (value === i) ok++
      }))
    }
    await Promise.all(done)
  })
  await pool!.close()
  needAll(name, ok, n)
  return (n / ms) * 1000
}

const suite: Suite = {
  name: 'thread-noop',
  title: '100,000 no-op tasks on 2 threads (quick: 1,000), pool start-up included',
  unit: 'tasks/s',
  better: 'higher',
  contenders: ['forkpool', ...PEERS],
  run: (contender, quick) => (contender === 'forkpool' ? forkpool(tasks(quick)) : peer(contender as PeerName, tasks(quick))),
  targets: [{
    describe: 'forkpool at least raw piscina\'s throughput',
    check: (m) => m['forkpool']! >= m['piscina']!,
    actual: (m) => `${(m['forkpool']! / m['piscina']!).toFixed(2)}x piscina`,
  }],
}

export default suite
