// The entry point of a reused worker process (isolation 'process-pool'). It takes jobs over IPC,
// calls each through lib/worker/call.ts exactly as a fresh process or a thread does, and answers with
// the replies and its resident memory (the pool recycles on it). It runs as many jobs at once as
// the pool gives it (processPool.concurrentTasksPerWorker), and answers all that end within one
// turn of its event loop in one message. It exits when its IPC channel closes: the pool retiring
// it, or the parent dying, even by SIGKILL. It has no SIGTERM handler: a signal from outside
// ends it, and its jobs, as it would any process.

import { MEASURE_RSS, type PoolAnswers, type PoolMessage, type PoolOrders, type PoolStop } from './protocol.js'
import { callWorker, CallContext, uncloneableReply, type WorkerReply } from '../../worker/call.js'
import { AbortError } from '../../errors.js'
import { blockingOutput } from '../../util/blocking-output.js'

// Whatever a job writes reaches the pipe before the process exits or is retired (util/blocking-output.ts).
blockingOutput()

const measureRss = process.argv.includes(MEASURE_RSS)

/** The jobs running here, by id: the pool's ids are small and reused (job-slots.ts), so an array, which unlike a Map does not keep ended jobs alive. */
const running: Array<CallContext | undefined> = []
let runningCount = 0
/** Answers not yet sent, and the worker file of each (for the error of one that cannot be sent). */
let pending = noAnswers()
let pendingUrls: string[] = []
let flushing = false

process.on('message', (orders: PoolOrders) => {
  const { ids, files, urls, idents, data, retried, jobIds } = orders
  const attempts = new Array<number>(ids.length).fill(1)
  if (retried !== undefined) for (let k = 0; k < retried.length; k += 2) attempts[retried[k]!] = retried[k + 1]!
  const contexts = idents.map((ident, i) => new CallContext(ident, attempts[i], jobIds === undefined ? null : jobIds[i]))
  for (let i = 0; i < ids.length; i++) running[ids[i]!] = contexts[i]!
  runningCount += ids.length
  // Stops before calls: a job stopped in the batch that brought it never begins.
  for (const stop of orders.stops) stopJob(stop)
  for (let i = 0; i < ids.length; i++) call(ids[i]!, urls[files[i]!]!, data[i], contexts[i]!)
})

function call(id: number, url: string, data: unknown, ctx: CallContext): void {
  void callWorker(url, data, ctx).then((reply) => {
    running[id] = undefined
    runningCount--
    addAnswer(pending, id, reply)
    pendingUrls.push(url)
    if (flushing) return
    flushing = true
    setImmediate(flush)
  })
}

function noAnswers(): PoolAnswers {
  return { ids: [], exitCodes: [], data: [], errors: [], rss: 0 }
}

function addAnswer(answers: PoolAnswers, id: number, reply: WorkerReply): void {
  answers.ids.push(id)
  answers.exitCodes.push(reply.exitCode)
  answers.data.push(reply.ok ? reply.data : undefined)
  answers.errors.push(reply.ok ? null : reply.error)
}

/**
 * A stop fires the job's ctx.signal when the job listens, or when it has not begun (it then never
 * does). A job that does not listen and is alone here dies with the process, by the signal, as it
 * would under isolation 'process'. One that shares the process runs on until it ends or the
 * SIGKILL after the manager's kill grace comes: the signal would take its neighbours too.
 */
function stopJob({ id, signal }: PoolStop): void {
  const ctx = running[id]
  // Answered already: the answer is on its way.
  if (ctx === undefined) return
  if (ctx.listening || !ctx.started) {
    ctx.abort(new AbortError(`job ${JSON.stringify(ctx.ident)} was asked to stop (${signal})`))
    return
  }
  if (runningCount > 1) return
  /* c8 ignore next 3 -- the process dies here by the signal, before coverage is written */
  process.removeAllListeners(signal)
  process.kill(process.pid, signal)
}

function flush(): void {
  flushing = false
  const answers = pending
  const urls = pendingUrls
  pending = noAnswers()
  pendingUrls = []
  answers.rss = measureRss ? process.memoryUsage.rss() : 0
  try {
    process.send!(answers satisfies PoolMessage)
  } catch {
    // The advanced serializer throws at once for a value it cannot clone: one by one, so that
    // only the job whose result it is fails.
    answers.ids.forEach((id, i) => {
      const one: PoolAnswers = { ids: [id], exitCodes: [answers.exitCodes[i]!], data: [answers.data[i]], errors: [answers.errors[i]!], rss: answers.rss }
      try {
        process.send!(one satisfies PoolMessage)
      } catch (error) {
        const failed = noAnswers()
        addAnswer(failed, id, uncloneableReply(urls[i]!, error))
        failed.rss = answers.rss
        process.send!(failed satisfies PoolMessage)
      }
    })
  }
}

// A job that ends the process (process.exit, or an uncaught exception) does not take the answers
// of the jobs that finished before it: they go out as the process exits (an IPC write is made at once).
process.on('exit', () => {
  if (pending.ids.length > 0) flush()
})

// No parent, no work: never outlive the manager. Answers for a parent that is gone go nowhere.
process.on('disconnect', () => {
  pending = noAnswers()
  process.exit(0)
})

// With a callback, a parent that died before this process came up is not an 'error' event with a
// stack trace on stderr: the closed channel's 'disconnect' ends the process all the same.
process.send!({ ready: true } satisfies PoolMessage, undefined, undefined, () => {})
