// latency: jobs that only wait (a `sleep 0.05` command), 25 at a time, against the ideal
// ceil(jobs / 25) × 50 ms and against doing them one at a time — the 717 s → 54 s shape.
import { spawn } from 'node:child_process'
import { ForkManager } from '../../lib/index.js'
import type { Suite, SuiteTarget } from '../suite.js'
import { capped, DETACHED, needAll, timeMs } from '../support.js'

export const WAIT_MS = 50
/** 200 jobs at cap 25; the quick version keeps two waves with 20 jobs at cap 10. */
export const cap = (quick: boolean): number => (quick ? 10 : 25)
export const jobs = (quick: boolean): number => (quick ? 20 : 200)
export const ideal = (quick: boolean): number => Math.ceil(jobs(quick) / cap(quick)) * WAIT_MS

/** The target of both latency suites: forkpool's wall time at most `limit` times the ideal. */
export function wallOverIdeal(limit: number): SuiteTarget {
  return {
    describe: `forkpool wall/ideal ≤ ${limit.toFixed(2)}`,
    check: (m, quick) => m['forkpool']! / ideal(quick) <= limit,
    actual: (m, quick) => (m['forkpool']! / ideal(quick)).toFixed(2),
  }
}
const SLEEP = ['0.05']

async function forkpool(n: number, cap: number): Promise<number> {
  const pm = new ForkManager({ maxProcs: cap })
  let ok = 0
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) {
      const handle = await pm.start(String(i), { command: 'sleep', args: SLEEP })
      void handle.result.then((r) => {
        if (r.exitCode === 0) ok++
      })
    }
    await pm.waitAllChildren()
  })
  await pm.close()
  needAll('forkpool', ok, n)
  return ms
}

function sleepOnce(): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn('sleep', SLEEP, { stdio: 'ignore', detached: DETACHED })
    child.on('error', reject)
    child.on('exit', (code) => resolve(code === 0))
  })
}

async function rawSpawn(n: number, cap: number): Promise<number> {
  let ok = 0
  const ms = await timeMs(() => capped(n, cap, async () => {
    if (await sleepOnce()) ok++
  }))
  needAll('raw-spawn', ok, n)
  return ms
}

async function execaPLimit(n: number, cap: number): Promise<number> {
  const [{ execa }, { default: pLimit }] = await Promise.all([import('execa'), import('p-limit')])
  const limit = pLimit(cap)
  let ok = 0
  const ms = await timeMs(async () => {
    await Promise.all(Array.from({ length: n }, () => limit(async () => {
      const result = await execa('sleep', SLEEP, { stdio: 'ignore', reject: false, detached: DETACHED })
      if (result.exitCode === 0) ok++
    })))
  })
  needAll('execa+p-limit', ok, n)
  return ms
}

/** The same commands, each awaited before the next starts. */
async function oneAtATime(n: number): Promise<number> {
  let ok = 0
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) if (await sleepOnce()) ok++
  })
  needAll('one-at-a-time', ok, n)
  return ms
}

const runs: Record<string, (n: number, cap: number) => Promise<number>> = {
  forkpool,
  'raw-spawn': rawSpawn,
  'execa+p-limit': execaPLimit,
  'one-at-a-time': oneAtATime,
}

const suite: Suite = {
  name: 'latency',
  title: '200 `sleep 0.05` commands at cap 25 (quick: 20 at cap 10); one-at-a-time runs them in turn',
  unit: 'ms',
  better: 'lower',
  contenders: Object.keys(runs),
  run: (contender, quick) => runs[contender]!(jobs(quick), cap(quick)),
  ideal,
  targets: [wallOverIdeal(1.15)],
}

export default suite
