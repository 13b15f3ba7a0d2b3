// The entry point of a reused worker process (isolation 'process-pool'). It takes job after job
// over IPC, one at a time, calls each through worker-call.ts exactly as a fresh process or a thread
// does, and answers with the reply and its resident memory (the pool recycles on it). It exits
// when its IPC channel closes: the pool retiring it, or the parent dying, even by SIGKILL.

import { MEASURE_RSS, type PoolMessage, type PoolTask } from './pool-protocol.js'
import { callWorker, CallContext, uncloneableReply, type WorkerReply } from './worker-call.js'

const measureRss = process.argv.includes(MEASURE_RSS)

let current: CallContext | undefined

// SIGTERM (a timeout or a cancel of the running job) fires ctx.signal so the worker can stop
// cleanly. A job that never looked at ctx.signal cannot react, so the process dies by the signal
// (as under isolation 'process'), and the pool replaces it.
process.on('SIGTERM', () => {
  if (current?.listening) {
    current.abort(new Error(`job ${JSON.stringify(current.ident)} was asked to stop (SIGTERM)`))
    return
  }
  /* c8 ignore next 3 -- the process dies here by the re-raised signal, before coverage is written */
  process.removeAllListeners('SIGTERM')
  process.kill(process.pid, 'SIGTERM')
})

// No parent, no work: never outlive the manager.
process.on('disconnect', () => process.exit(0))

process.on('message', (task: PoolTask) => {
  const ctx = (current = new CallContext(task.ident))
  void callWorker(task.url, task.data, ctx).then((reply) => {
    current = undefined
    answer(task, reply)
  })
})

function answer(task: PoolTask, reply: WorkerReply): void {
  const rss = measureRss ? process.memoryUsage.rss() : 0
  try {
    process.send!({ id: task.id, reply, rss } satisfies PoolMessage)
  } catch (error) {
    // The advanced serializer throws at once for values it cannot clone.
    process.send!({ id: task.id, reply: uncloneableReply(task.url, error), rss } satisfies PoolMessage)
  }
}

process.send!({ ready: true } satisfies PoolMessage)
