// fresh-big-parent: 40 no-op worker jobs, each in a fresh Node process, at cap 2, from a parent
// that holds 0 MB or 1 GB of extra memory: forkpool as it is (the worker started by its native
// forker, forked before the parent grew) against forkpool with `spawner: false` (forked from the
// parent by child_process.fork, as before the forker started workers). Node's fork copies the
// parent's page tables, on the parent's CPU and with its event loop blocked. The figure is ms per
// job; beside it, the parent's CPU per job and its event loop's delay (p99 and max).

import { monitorEventLoopDelay } from 'node:perf_hooks'
import { ForkManager } from '../../lib/index.js'
import { flatAcrossSizes, type Measured, type Suite, type SuiteTarget } from '../suite.js'
import { ballast, needAll, needBallast, timeMs, workerFile } from '../support.js'

const CAP = 2
const NOOP = workerFile('noop')
const jobs = (quick: boolean): number => (quick ? 10 : 40)
const SIZES: Record<string, number> = { '0MB': 0, '1GB': 1024 }

async function runJobs(n: number, spawner: boolean): Promise<void> {
  const pm = new ForkManager({ maxProcs: CAP, spawner })
  let ok = 0
  for (let i = 0; i < n; i++) {
    const handle = await pm.start(String(i), { worker: NOOP, data: i, isolation: 'process' })
    void handle.result.then((r) => {
      if (r.exitCode === 0 && r.data === i) ok++
    })
  }
  await pm.close()
  needAll(spawner ? 'forkpool' : 'fork', ok, n)
}

async function run(contender: string, quick: boolean): Promise<Measured> {
  const [path, size] = contender.split('@') as [string, string]
  const spawner = path === 'forkpool'
  // As a user would: the forkers start while the process is small, before it grows.
  if (spawner) await ForkManager.warm()
  const held = ballast(SIZES[size]!)
  const n = jobs(quick)
  const delay = monitorEventLoopDelay({ resolution: 1 })
  const cpu = process.cpuUsage()
  delay.enable()
  const ms = await timeMs(() => runJobs(n, spawner))
  delay.disable()
  const used = process.cpuUsage(cpu)
  needBallast(held, SIZES[size]!)
  return {
    figure: ms / n, details: {
      'parent CPU': (used.user + used.system) / 1000 / n, 'loop p99': delay.percentile(99) / 1e6, 'loop max': delay.max / 1e6,
    }
  }
}

const contenders = ['forkpool', 'fork'].flatMap((path) => Object.keys(SIZES).map((size) => `${path}@${size}`))

const { flat, loopDelay } = flatAcrossSizes('0MB', '1GB', Object.keys(SIZES))
const targets: SuiteTarget[] = [
  flat,
  {
    describe: 'forkpool at 1 GB faster than fork at 1 GB',
    check: (m) => m['forkpool@1GB']! < m['fork@1GB']!,
    actual: (m) => `${(m['fork@1GB']! / m['forkpool@1GB']!).toFixed(2)}x`,
  },
  loopDelay,
]

export const suite: Suite = {
  name: 'fresh-big-parent',
  title: '40 no-op worker jobs in fresh processes at cap 2 from a parent holding 0 MB, 1 GB more (quick: 10)',
  unit: 'ms per job',
  better: 'lower',
  contenders,
  details: { 'parent CPU': 'ms per job', 'loop p99': 'ms', 'loop max': 'ms' },
  run,
  targets,
}
