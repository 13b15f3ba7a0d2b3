// latency-timer: worker jobs that await a 50 ms timer, 25 at a time on threads, against the
// ideal ceil(jobs / 25) × 50 ms and against awaiting them one at a time. The pools are warm (one
// untimed batch of a job per thread first): starting 25 threads is the cost thread-noop measures; this suite
// measures what the scheduling of each job adds to its wait.
import { ForkManager } from '../../lib/index.js'
import timer from '../../workers/timer.js'
import type { Suite } from '../suite.js'
import { need, needAll, timeMs, workerFile } from '../support.js'
import { cap, ideal, jobs, WAIT_MS, wallOverIdeal } from './latency.js'

const TIMER = workerFile('timer')

async function forkpool(n: number, cap: number): Promise<number> {
  const pm = new ForkManager({ maxProcs: cap })
  await Promise.all(Array.from({ length: cap }, async (_, i) => {
    const handle = await pm.start(`warm-${i}`, { worker: TIMER, data: 1, isolation: 'thread' })
    need((await handle.result).data === 1, 'forkpool warm-up job failed')
  }))
  let ok = 0
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) {
      const handle = await pm.start(String(i), { worker: TIMER, data: WAIT_MS, isolation: 'thread' })
      void handle.result.then((r) => {
        if (r.exitCode === 0 && r.data === WAIT_MS) ok++
      })
    }
    await pm.waitAllChildren()
  })
  await pm.close()
  needAll('forkpool', ok, n)
  return ms
}

async function piscina(n: number, cap: number): Promise<number> {
  const { Piscina } = await import('piscina')
  const pool = new Piscina({ filename: TIMER.href, minThreads: cap, maxThreads: cap })
  await Promise.all(Array.from({ length: cap }, async () => need((await pool.run(1)) === 1, 'piscina warm-up task failed')))
  let ok = 0
  const ms = await timeMs(async () => {
    await Promise.all(Array.from({ length: n }, async () => {
      if ((await pool.run(WAIT_MS)) === WAIT_MS) ok++
    }))
  })
  await pool.close()
  needAll('piscina', ok, n)
  return ms
}

/** The same worker function, awaited in turn in this thread. */
async function oneAtATime(n: number): Promise<number> {
  let ok = 0
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) if ((await timer(WAIT_MS)) === WAIT_MS) ok++
  })
  needAll('one-at-a-time', ok, n)
  return ms
}

const runs: Record<string, (n: number, cap: number) => Promise<number>> = { forkpool, piscina, 'one-at-a-time': oneAtATime }

const suite: Suite = {
  name: 'latency-timer',
  title: '200 worker jobs awaiting a 50 ms timer on 25 warm threads (quick: 20 on 10); one-at-a-time awaits them in turn',
  unit: 'ms',
  better: 'lower',
  contenders: Object.keys(runs),
  run: (contender, quick) => runs[contender]!(jobs(quick), cap(quick)),
  ideal,
  targets: [wallOverIdeal(1.05)],
}

export default suite
