// spawn-big-parent: 1000 /bin/true jobs at cap 2 from a parent that holds 0 MB, 250 MB or 1 GB of
// extra memory, forkpool against the raw child_process.spawn loop. A fork copies the caller's
// page tables, so the raw loop's spawn grows with the parent and blocks its event loop meanwhile;
// forkpool's spawners were forked before the parent grew. One contender per size and path
// (forkpool@1GB, raw@1GB, …); the figure is ms per job, and each reports the event loop's delay
// during the run (perf_hooks.monitorEventLoopDelay, p99 and max) beside it. `c-floor` is what no
// spawner can beat here: a C loop of vfork, exec and wait at the same cap (bench/floor/).

import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { ForkManager } from '../../lib/index.js'
import { flatAcrossSizes, type Measured, type Suite, type SuiteTarget } from '../suite.js'
import { ballast, capped, DETACHED, needAll, needBallast, timeMs } from '../support.js'

const CAP = 2
const jobs = (quick: boolean): number => (quick ? 100 : 1000)
const SIZES: Record<string, number> = { '0MB': 0, '250MB': 250, '1GB': 1024 }
async function forkpool(n: number): Promise<void> {
  const pm = new ForkManager({ maxProcs: CAP })
  let ok = 0
  for (let i = 0; i < n; i++) {
    const handle = await pm.start(String(i), { command: '/bin/true' })
    void handle.result.then((r) => {
      if (r.exitCode === 0 && r.error === null) ok++
    })
  }
  await pm.close()
  needAll('forkpool', ok, n)
}

/** The hand-written baseline of the spawn suite: child_process.spawn, stdio ignored, at most CAP at once. */
async function raw(n: number): Promise<void> {
  let ok = 0
  await capped(n, CAP, () => new Promise<void>((resolve, reject) => {
    const child = spawn('/bin/true', [], { stdio: 'ignore', detached: DETACHED })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code === 0) ok++
      resolve()
    })
  }))
  needAll('raw', ok, n)
}

/** The C loop's own figure, ms per job: compiled for the round (outside the timing), timed inside. */
function floor(n: number): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'forkpool-floor-'))
  try {
    const out = path.join(dir, 'spawn-loop')
    execFileSync('cc', ['-O2', '-o', out, new URL('../../../bench/floor/spawn-loop.c', import.meta.url).pathname])
    return Number(execFileSync(out, [String(n), String(CAP)], { encoding: 'utf8' }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function run(contender: string, quick: boolean): Promise<Measured> {
  if (contender === 'c-floor') return { figure: floor(jobs(quick)), details: {} }
  const [path, size] = contender.split('@') as [string, string]
  // As a user would: the spawners start while the process is small, before it grows.
  if (path === 'forkpool') await ForkManager.warm()
  const held = ballast(SIZES[size]!)
  const n = jobs(quick)
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const ms = await timeMs(() => (path === 'forkpool' ? forkpool(n) : raw(n)))
  delay.disable()
  // Still held: the memory is the parent's for the whole run.
  needBallast(held, SIZES[size]!)
  return { figure: ms / n, details: { 'loop p99': delay.percentile(99) / 1e6, 'loop max': delay.max / 1e6 } }
}

const contenders = [...['forkpool', 'raw'].flatMap((path) => Object.keys(SIZES).map((size) => `${path}@${size}`)), 'c-floor']

const { flat, loopDelay } = flatAcrossSizes('0MB', '1GB', Object.keys(SIZES))
const targets: SuiteTarget[] = [
  flat,
  {
    describe: 'forkpool at 1 GB at least 10x faster than the raw loop at 1 GB',
    check: (m) => m['raw@1GB']! >= 10 * m['forkpool@1GB']!,
    actual: (m) => `${(m['raw@1GB']! / m['forkpool@1GB']!).toFixed(1)}x`,
  },
  loopDelay,
]

export const suite: Suite = {
  name: 'spawn-big-parent',
  title: '1000 /bin/true jobs at cap 2 from a parent holding 0 MB, 250 MB, 1 GB more (quick: 100)',
  unit: 'ms per job',
  better: 'lower',
  contenders,
  details: { 'loop p99': 'ms', 'loop max': 'ms' },
  run,
  targets,
}
