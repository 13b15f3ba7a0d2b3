// fork-per-task: 200 worker-file jobs, each in a fresh Node child, 2 at a time — Parallel::ForkManager's own model.
import { fork } from 'node:child_process'
import { ForkManager } from '../../lib/index.js'
import { type Suite, withinOf } from '../suite.js'
import { capped, DETACHED, needAll, peerFile, timeMs, workerFile } from '../support.js'

const CAP = 2
const NOOP = workerFile('noop')
const CHILD = peerFile('fork-child')
const jobs = (quick: boolean): number => (quick ? 6 : 200)

async function forkpool(n: number): Promise<number> {
  const pm = new ForkManager({ maxProcs: CAP })
  let ok = 0
  const ms = await timeMs(async () => {
    for (let i = 0; i < n; i++) {
      const handle = await pm.start(String(i), { worker: NOOP, data: i, isolation: 'process' })
      void handle.result.then((r) => {
        if (r.exitCode === 0 && r.data === i) ok++
      })
    }
    await pm.waitAllChildren()
  })
  await pm.close()
  needAll('forkpool', ok, n)
  return ms / n
}

/** The hand-written baseline: child_process.fork of a child that answers one message, at most CAP at once (detached: see DETACHED). */
async function rawFork(n: number): Promise<number> {
  let ok = 0
  const ms = await timeMs(() => capped(n, CAP, (i) => new Promise<void>((resolve, reject) => {
    const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', detached: DETACHED })
    let answer: unknown
    child.on('error', reject)
    child.on('message', (message) => (answer = message))
    child.on('exit', (code) => {
      if (code === 0 && answer === i) ok++
      resolve()
    })
    child.send(i)
  })))
  needAll('raw-fork', ok, n)
  return ms / n
}

async function execaNode(n: number): Promise<number> {
  const [{ execaNode: run }, { default: pLimit }] = await Promise.all([import('execa'), import('p-limit')])
  const limit = pLimit(CAP)
  let ok = 0
  const ms = await timeMs(async () => {
    await Promise.all(Array.from({ length: n }, (_, i) => limit(async () => {
      const result = await run(CHILD, [], {
        ipcInput: i, serialization: 'advanced', stdin: 'ignore', stdout: 'inherit', stderr: 'inherit', reject: false, detached: DETACHED,
      })
      if (result.exitCode === 0 && result.ipcOutput[0] === i) ok++
    })))
  })
  needAll('execaNode+p-limit', ok, n)
  return ms / n
}

const runs: Record<string, (n: number) => Promise<number>> = { forkpool, 'raw-fork': rawFork, 'execaNode+p-limit': execaNode }

const suite: Suite = {
  name: 'fork-per-task',
  title: '200 noop worker-file jobs, a fresh Node child each, at cap 2 (quick: 6); figure per job',
  unit: 'ms/job',
  better: 'lower',
  contenders: Object.keys(runs),
  run: (contender, quick) => runs[contender]!(jobs(quick)),
  targets: [withinOf('raw-fork', 1.05)],
}

export default suite
