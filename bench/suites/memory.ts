// memory: the peak RSS of the parent while 100,000 no-op thread jobs go through. forkpool's jobs
// are started with start() and awaited (their results counted, not kept): whatever the manager
// held on to per finished job would show here. Each peer gets the same tasks its usual way.
import { ForkManager } from '../../lib/index.js'
import { openPool, PEERS, type PeerName } from '../peers/pools.js'
import { type Suite, withinOf } from '../suite.js'
import { needAll, workerFile } from '../support.js'

const THREADS = 2
const NOOP = workerFile('noop')
const tasks = (quick: boolean): number => (quick ? 1_000 : 100_000)

/** This process's peak resident set since it started, in MB. */
function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024
}

async function forkpool(n: number): Promise<number> {
  const pm = new ForkManager({ maxProcs: THREADS })
  let ok = 0
  for (let i = 0; i < n; i++) {
    const handle = await pm.start(String(i), { worker: NOOP, data: i, isolation: 'thread' })
    void handle.result.then((r) => {
      if (r.data === i) ok++
    })
  }
  await pm.waitAllChildren()
  const peak = peakRssMb()
  await pm.close()
  needAll('forkpool', ok, n)
  return peak
}

async function peer(name: PeerName, n: number): Promise<number> {
  let ok = 0
  const pool = await openPool(name, THREADS, 'noop')
  const done: Array<Promise<void>> = []
  for (let i = 0; i < n; i++) {
    done.push(pool.run(i).then((value) => {
      if (value === i) ok++
    }))
  }
  await Promise.all(done)
  const peak = peakRssMb()
  await pool.close()
  needAll(name, ok, n)
  return peak
}

const suite: Suite = {
  name: 'memory',
  title: 'peak RSS of the parent through 100,000 no-op thread jobs on 2 threads (quick: 1,000)',
  unit: 'MB',
  better: 'lower',
  contenders: ['forkpool', ...PEERS],
  run: (contender, quick) => (contender === 'forkpool' ? forkpool(tasks(quick)) : peer(contender as PeerName, tasks(quick))),
  targets: [withinOf('piscina', 1.1, 'forkpool\'s peak RSS within 1.10x of raw piscina\'s')],
}

export default suite
