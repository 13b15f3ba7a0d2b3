// The entry point of a reused worker process (isolation 'process-pool'). It takes jobs over IPC,
// calls each through worker-call.ts exactly as a fresh process or a thread does, and answers with
// the replies and its resident memory (the pool recycles on it). It runs as many jobs at once as
// the pool gives it (processPool.concurrentTasksPerWorker), and answers all that end within one
// turn of its event loop in one message. It exits when its IPC channel closes: the pool retiring
// it, or the parent dying, even by SIGKILL. It has no SIGTERM handler: a signal from outside
// ends it, and its jobs, as it would any process.

import { MEASURE_RSS, type PoolAnswer, type PoolMessage, type PoolOrders, type PoolStop, type PoolTask } from './pool-protocol.js'
import { callWorker, CallContext, uncloneableReply } from './worker-call.js'

const measureRss = process.argv.includes(MEASURE_RSS)

/** The jobs running here, by id. */
const running = new Map<number, CallContext>()
/** Answers not yet sent, and the worker file of each (for the error of one that cannot be sent). */
let pending: PoolAnswer[] = []
let pendingUrls: string[] = []
let flushing = false

process.on('message', (orders: PoolOrders) => {
  for (const task of orders.tasks) begin(task)
  for (const stop of orders.stops) stopJob(stop)
})

function begin(task: PoolTask): void {
  const ctx = new CallContext(task.ident)
  running.set(task.id, ctx)
  void callWorker(task.url, task.data, ctx).then((reply) => {
    running.delete(task.id)
    pending.push({ id: task.id, reply })
    pendingUrls.push(task.url)
    if (flushing) return
    flushing = true
    setImmediate(flush)
  })
}

/**
 * A stop fires the job's ctx.signal when the job listens, or when it has not begun (it then never
 * does). A job that does not listen and is alone here dies with the process, by the signal, as it
 * would under isolation 'process'. One that shares the process runs on until it ends or the
 * SIGKILL after the manager's kill grace comes: the signal would take its neighbours too.
 */
function stopJob({ id, signal }: PoolStop): void {
  const ctx = running.get(id)
  // Answered already: the answer is on its way.
  if (ctx === undefined) return
  if (ctx.listening || !ctx.started) {
    ctx.abort(new Error(`job ${JSON.stringify(ctx.ident)} was asked to stop (${signal})`))
    return
  }
  if (running.size > 1) return
  /* c8 ignore next 3 -- the process dies here by the signal, before coverage is written */
  process.removeAllListeners(signal)
  process.kill(process.pid, signal)
}

function flush(): void {
  flushing = false
  const answers = pending
  const urls = pendingUrls
  pending = []
  pendingUrls = []
  const rss = measureRss ? process.memoryUsage.rss() : 0
  try {
    process.send!({ answers, rss } satisfies PoolMessage)
  } catch {
    // The advanced serializer throws at once for a value it cannot clone: one by one, so that
    // only the job whose result it is fails.
    answers.forEach((answer, i) => {
      try {
        process.send!({ answers: [answer], rss } satisfies PoolMessage)
      } catch (error) {
        process.send!({ answers: [{ id: answer.id, reply: uncloneableReply(urls[i]!, error) }], rss } satisfies PoolMessage)
      }
    })
  }
}

// A job that ends the process (process.exit, or an uncaught exception) does not take the answers
// of the jobs that finished before it: they go out as the process exits (an IPC write is made at once).
process.on('exit', () => {
  if (pending.length > 0) flush()
})

// No parent, no work: never outlive the manager. Answers for a parent that is gone go nowhere.
process.on('disconnect', () => {
  pending = []
  process.exit(0)
})

// With a callback, a parent that died before this process came up is not an 'error' event with a
// stack trace on stderr: the closed channel's 'disconnect' ends the process all the same.
process.send!({ ready: true } satisfies PoolMessage, undefined, undefined, () => {})
