// process-noop: 20,000 no-op jobs on 2 reused worker processes. What a job costs when a process
// is reused: forkpool's process-pool against the pools users compare it with, and against a
// hand-written child_process.fork dispatcher (one task in flight per child), the floor of
// one-job-at-a-time dispatch over Node IPC.

import { fork } from 'node:child_process'
import { ForkManager } from '../../lib/index.js'
import type { Suite } from '../suite.js'

const WORKERS = 2
const worker = (name: string): string => new URL(`../../workers/${name}`, import.meta.url).pathname

/** Runs `task(i)` for i in [0, n) with `inFlight` at a time and checks every answer echoes its input. */
async function drive(n: number, inFlight: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  let wrong = 0
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) {
      const i = next++
      if ((await task(i)) !== i) wrong++
    }
  }))
  if (wrong > 0) throw new Error(`${wrong} of ${n} tasks answered wrongly`)
}

/** Times `n` tasks after a warm-up that starts the processes and loads the worker code. */
async function measure(n: number, inFlight: number, task: (i: number) => Promise<unknown>): Promise<number> {
  await drive(200, inFlight, task)
  const started = performance.now()
  await drive(n, inFlight, task)
  return n / ((performance.now() - started) / 1000)
}

/** Rejects when `promise` has not settled after `ms`: a peer that hangs is dropped, with the reason. */
function within<T>(promise: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout
  const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(reason)), ms)))
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

// The window of tasks every contender is handed at once, as a caller with work to do would.
const WINDOW = 64

async function forkpool(n: number): Promise<number> {
  // WINDOW jobs in flight on WORKERS processes: each process runs WINDOW / WORKERS of them at
  // once, and the pool batches what it sends to each.
  const pm = new ForkManager({ maxProcs: WINDOW, processPool: { concurrentTasksPerWorker: WINDOW / WORKERS } })
  const job = { worker: worker('noop.js'), isolation: 'process-pool' } as const
  const pids = new Set<number | null>()
  const rate = await measure(n, WINDOW, async (i) => {
    const r = await (await pm.start('noop', { ...job, data: i })).result
    if (r.exitCode !== 0) throw new Error(`job ${i} failed: ${JSON.stringify(r.error)}`)
    pids.add(r.pid)
    return r.data
  })
  await pm.close()
  if (pids.size !== WORKERS) throw new Error(`the jobs ran in ${pids.size} processes, not ${WORKERS}`)
  return rate
}

async function workerpoolPeer(n: number): Promise<number> {
  const { default: workerpool } = await import('workerpool')
  const pool = workerpool.pool(worker('workerpool-noop.cjs'), { workerType: 'process', minWorkers: WORKERS, maxWorkers: WORKERS })
  const rate = await measure(n, WINDOW, (i) => pool.exec('noop', [i]))
  await pool.terminate()
  return rate
}

async function poolifierCluster(n: number): Promise<number> {
  const { FixedClusterPool } = await import('poolifier')
  const pool = new FixedClusterPool<number, number>(WORKERS, worker('poolifier-noop.cjs'), { errorHandler: (e) => console.error(e) })
  try {
    return await within(measure(n, WINDOW, (i) => pool.execute(i)), 60_000,
      'poolifier cluster pool did not finish within 60 s (it hangs with an ESM worker file; this one is CommonJS)')
  } finally {
    await pool.destroy()
  }
}

async function rawFork(n: number): Promise<number> {
  const children = Array.from({ length: WORKERS },
    () => fork(worker('raw-fork-noop.js'), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
  const idle = [...children]
  const waiting: Array<(child: (typeof children)[number]) => void> = []
  const task = async (i: number): Promise<unknown> => {
    const child = idle.pop() ?? (await new Promise<(typeof children)[number]>((resolve) => waiting.push(resolve)))
    const answer = await new Promise((resolve) => {
      child.once('message', resolve)
      child.send(i)
    })
    const next = waiting.shift()
    if (next) next(child)
    else idle.push(child)
    return answer
  }
  const rate = await measure(n, WORKERS, task)
  for (const child of children) child.disconnect()
  return rate
}

export const suite: Suite = {
  name: 'process-noop',
  title: '20,000 no-op jobs on 2 reused worker processes',
  unit: 'tasks/s',
  better: 'higher',
  contenders: ['forkpool', 'workerpool', 'poolifier-cluster', 'raw-fork'],
  async run(contender, quick) {
    const n = quick ? 2_000 : 20_000
    switch (contender) {
      case 'forkpool':
        return forkpool(n)
      case 'workerpool':
        return workerpoolPeer(n)
      case 'poolifier-cluster':
        return poolifierCluster(n)
      case 'raw-fork':
        return rawFork(n)
      default:
        throw new Error(`process-noop has no contender ${contender}`)
    }
  },
  targets: [
    {
      describe: 'forkpool at least 1.5x poolifier-cluster',
      check: (m) => m['forkpool']! >= 1.5 * m['poolifier-cluster']!,
    },
  ],
}
