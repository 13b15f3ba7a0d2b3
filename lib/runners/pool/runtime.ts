// The entry point of a pool worker: a reused child process (isolation 'process-pool') or a worker
// thread ('thread'), the same code for both but for how messages come and go (the two channels at
// the bottom). It takes jobs in batches, calls each through lib/worker-file/call.ts exactly as a fresh
// process does, and answers all the jobs that end within one turn of its event loop in one
// message, with its resident memory when asked (the pool recycles on it). It runs as many jobs
// at once as the pool gives it (concurrentTasksPerWorker). A process exits when its IPC channel
// closes (the pool retiring it, or the parent dying, even by SIGKILL), a thread when told to. It
// has no SIGTERM handler: a signal from outside ends a process, and its jobs, as it would any.

import { parentPort, type MessagePort } from 'node:worker_threads'
import { MEASURE_RSS, type PoolAnswers, type PoolMessage, type PoolOrders, type PoolStop } from './protocol.js'
import { callWorkerFile, CallContext, loadWorkerFile, uncloneableReply, type CallReply } from '../../worker-file/call.js'
import { AbortError } from '../../errors.js'
import { blockingOutput } from '../../util/blocking-output.js'

// Whatever a job writes reaches the pipe before the process exits or is retired (util/blocking-output.ts).
blockingOutput()

/** How messages reach the parent: throws at once for a value it cannot clone. */
type Send = (message: PoolMessage) => void

const measureRss = process.argv.includes(MEASURE_RSS)

/**
 * The jobs running here, by id: the pool's ids are small and reused (job-table.ts), so an array, which unlike a Map does not keep ended
 * jobs alive.
 */
const running: Array<PoolContext | undefined> = []
/** Answers not yet sent, and the worker file of each (for the error of one that cannot be sent). */
let pending = noAnswers()
let pendingUrls: string[] = []
let flushing = false
/** The worker files this worker has begun to import: the parent hears when each has loaded. */
const importing = new Set<string>()

/** A job's context, which tells the parent when the job first reads its ctx.signal: a stop then waits for it. */
class PoolContext extends CallContext {
  readonly id: number

  constructor(id: number, ident: string, attempt: number | undefined, jobId: string | null) {
    super(ident, attempt, jobId)
    this.id = id
  }

  override get signal(): AbortSignal {
    // Not for a job that has ended: its id may be another job's by now.
    if (!this.listening && running[this.id] === this) send({ listening: this.id })
    return super.signal
  }
}

function take(orders: PoolOrders | null): void {
  // null: the pool retires this worker.
  if (orders === null) process.exit(0)
  const { ids, files, urls, idents, data, retried, jobIds } = orders
  const attempts = new Array<number>(ids.length).fill(1)
  if (retried !== undefined) for (let k = 0; k < retried.length; k += 2) attempts[retried[k]!] = retried[k + 1]!
  for (let i = 0; i < ids.length; i++) {
    running[ids[i]!] = new PoolContext(ids[i]!, idents[i]!, attempts[i],
      jobIds === undefined ? null : jobIds[i]!)
  }
  for (const url of urls) {
    if (importing.has(url)) continue
    importing.add(url)
    // Settles before the jobs waiting for the file are called (their callbacks come after this one).
    const loaded = (): void => send({ loaded: url })
    loadWorkerFile(url).then(loaded, loaded)
  }
  // Stops before calls: a job stopped in the batch that brought it never begins.
  for (const stop of orders.stops) stopJob(stop)
  for (let i = 0; i < ids.length; i++) call(ids[i]!, urls[files[i]!]!, data[i], running[ids[i]!]!)
}

function call(id: number, url: string, data: unknown, ctx: PoolContext): void {
  void callWorkerFile(url, data, ctx).then((reply) => {
    running[id] = undefined
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

function addAnswer(answers: PoolAnswers, id: number, reply: CallReply): void {
  answers.ids.push(id)
  answers.exitCodes.push(reply.exitCode)
  answers.data.push(reply.ok ? reply.data : undefined)
  answers.errors.push(reply.ok ? null : reply.error)
}

/**
 * A stop fires the job's ctx.signal when the job listens, or when it has not begun (it then never
 * does). A job that began without listening is reported deaf, and the parent ends this worker
 * (worker.ts #stop).
 */
function stopJob({ id, signal }: PoolStop): void {
  const ctx = running[id]
  // Answered already: the answer is on its way.
  if (ctx === undefined) return
  // The else runs (test/runners/pool/transports.test.ts), but the parent ends this worker at once,
  // before its coverage is written.
  if (ctx.listening || !ctx.started) ctx.abort(new AbortError(`job ${JSON.stringify(ctx.ident)} was asked to stop (${signal})`))
  /* c8 ignore next */
  else send({ deaf: id })
}

function flush(): void {
  flushing = false
  const answers = pending
  const urls = pendingUrls
  pending = noAnswers()
  pendingUrls = []
  answers.rss = measureRss ? process.memoryUsage.rss() : 0
  try {
    send(answers)
  } catch {
    // The serializer throws at once for a value it cannot clone: one by one, so that only the job
    // whose result it is fails.
    answers.ids.forEach((id, i) => {
      const one: PoolAnswers = {
        ids: [id], exitCodes: [answers.exitCodes[i]!], data: [answers.data[i]], errors: [answers.errors[i]!], rss: answers.rss,
      }
      try {
        send(one)
      } catch (error) {
        const failed = noAnswers()
        addAnswer(failed, id, uncloneableReply(urls[i]!, error))
        failed.rss = answers.rss
        send(failed)
      }
    })
  }
}

/** A child process's channel: IPC with the parent, which it never outlives. */
function processChannel(): Send {
  // No parent, no work. Answers for a parent that is gone go nowhere.
  process.on('disconnect', () => {
    pending = noAnswers()
    process.exit(0)
  })
  process.on('message', take)
  // With a callback, a send to a parent that is gone (it died before this process came up) is not
  // an 'error' event with a stack trace on stderr: the closed channel's 'disconnect' ends the process all the same.
  return (message) => process.send!(message, undefined, undefined, ignore)
}

/** A thread's channel: its port to the parent. A thread ends with its process. */
function threadChannel(port: MessagePort): Send {
  port.on('message', take)
  return (message) => port.postMessage(message)
}

function ignore(): void {}

const send = parentPort === null ? processChannel() : threadChannel(parentPort)

// A job that ends the worker (process.exit, or an uncaught exception) does not take the answers of
// the jobs that finished before it: they go out as it exits (an IPC write or a post is made at once).
process.on('exit', () => {
  if (pending.ids.length > 0) flush()
})

send({ ready: true })
