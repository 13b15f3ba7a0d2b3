// thread-noop: 100,000 no-op tasks (each returns its input) on 2 threads — the cost of a pool per task.
import { ForkManager } from '../../lib/index.js'
import { openPool, PEERS, type PeerName } from '../peers/pools.js'
import type { Suite } from '../suite.js'
import { needAll, timeMs, workerFile } from '../support.js'

const THREADS = 2
// forkpool's cap is jobs running: 32 on each thread, as process-noop runs 32 on each process (the
// peers get every task at once). forkpool-cap2 runs one job per thread, the default, at a cap of 2.
const PER_THREAD = 32
const NOOP = workerFile('noop')
const tasks = (quick: boolean): number => (quick ? 1_000 : 100_000)

/** `perThread`: jobs each thread runs at once; the cap is that times THREADS. */
async function forkpool(n: number, perThread: number): Promise<number> {
  const pm = new ForkManager({ maxProcs: perThread * THREADS, threadPool: { concurrentTasksPerWorker: perThread } })
  const threads = new Set<number | null>()
  let ok = 0
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) {
      const handle = await pm.start(String(i), { worker: NOOP, data: i, isolation: 'thread' })
      void handle.result.then((r) => {
        if (r.data === i && r.exitCode === 0) ok++
        threads.add(r.threadId)
      })
    }
    await pm.waitAllChildren()
  })
  await pm.close()
  needAll('forkpool', ok, n)
  if (threads.size !== THREADS) throw new Error(`the jobs ran on ${threads.size} threads, not ${THREADS}`)
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
  contenders: ['forkpool', 'forkpool-cap2', ...PEERS],
  run: (contender, quick) => {
    if (contender === 'forkpool') return forkpool(tasks(quick), PER_THREAD)
    if (contender === 'forkpool-cap2') return forkpool(tasks(quick), 1)
    return peer(contender as PeerName, tasks(quick))
  },
  targets: [{
    describe: 'forkpool at least poolifier\'s ThreadPool throughput (issue 30)',
    check: (m) => m['forkpool']! >= m['poolifier']!,
    actual: (m) => `${(m['forkpool']! / m['poolifier']!).toFixed(2)}x poolifier`,
  }, {
    describe: 'forkpool at least raw piscina\'s throughput',
    check: (m) => m['forkpool']! >= m['piscina']!,
    actual: (m) => `${(m['forkpool']! / m['piscina']!).toFixed(2)}x piscina`,
  }],
}

export default suite
