// spawn: many tiny commands under a cap of 2 — what a pool of processes costs per job.
import { spawn } from 'node:child_process'
import { ForkManager } from '../../lib/index.js'
import { type Suite, withinOf } from '../suite.js'
import { capped, DETACHED, needAll, timeMs } from '../support.js'

const CAP = 2
const jobs = (quick: boolean): number => (quick ? 50 : 1000)

async function forkpool(n: number): Promise<number> {
  const pm = new ForkManager({ maxProcs: CAP })
  let ok = 0
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) {
      const handle = await pm.start(String(i), { command: '/bin/true' })
      void handle.result.then((r) => {
        if (r.exitCode === 0 && r.error === null) ok++
      })
    }
    await pm.waitAllChildren()
  })
  await pm.close()
  needAll('forkpool', ok, n)
  return ms
}

/** The hand-written baseline: child_process.spawn with stdio ignored, at most CAP at once (detached: see DETACHED). */
async function rawSpawn(n: number): Promise<number> {
  let ok = 0
  const ms = await timeMs(() => capped(n, CAP, () => new Promise<void>((resolve, reject) => {
    const child = spawn('/bin/true', [], { stdio: 'ignore', detached: DETACHED })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code === 0) ok++
      resolve()
    })
  })))
  needAll('raw-spawn', ok, n)
  return ms
}

async function execaPLimit(n: number): Promise<number> {
  const [{ execa }, { default: pLimit }] = await Promise.all([import('execa'), import('p-limit')])
  const limit = pLimit(CAP)
  let ok = 0
  const ms = await timeMs(async () => {
    await Promise.all(Array.from({ length: n }, () => limit(async () => {
      const result = await execa('/bin/true', { stdio: 'ignore', reject: false, detached: DETACHED })
      if (result.exitCode === 0) ok++
    })))
  })
  needAll('execa+p-limit', ok, n)
  return ms
}

const runs: Record<string, (n: number) => Promise<number>> = { forkpool, 'raw-spawn': rawSpawn, 'execa+p-limit': execaPLimit }

const suite: Suite = {
  name: 'spawn',
  title: '1000 /bin/true jobs at cap 2 (quick: 50)',
  unit: 'ms',
  better: 'lower',
  contenders: Object.keys(runs),
  run: (contender, quick) => runs[contender]!(jobs(quick)),
  // Issue 13: with two spawners forking at once, forkpool should match the loop that blocks on each fork.
  targets: [withinOf('raw-spawn', 1.0)],
}

export default suite
