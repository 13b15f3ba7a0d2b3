// The agent (`forkpool worker`): takes jobs from the queue and runs each as the manager runs a
// local job, through the same code: the manager's Launcher picks its runner (a command, a fresh
// process, a pool worker) and the manager's Job supervises it (its timeout from its
// start here, a stop escalated to SIGKILL after its kill grace). For each job it reports its
// start (host, pid) as the job's progress, and returns its JobResult as the job's value, whatever
// the exit code: a job's failure is a result, never a BullMQ failure. BullMQ fails a job only
// when its agents were lost too often (stalls).

import { hostname } from 'node:os'
import { resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Job as QueuedJob } from 'bullmq'
import { JobRefusedError, RedisUnreachableError, WorkerLostError, jobError } from '../errors.js'
import { Job } from '../manager/job.js'
import { CHUNK_WORKER_FILE } from '../map/batch.js'
import type { ChunkOrder } from '../map/chunk-worker.js'
import type { Execution } from '../runners/execution.js'
import { Launcher } from '../runners/launcher.js'
import type { NormalizedJob } from '../runners/spec.js'
import type { JobResult, SerializedError } from '../types.js'
import { Deadlines } from '../util/deadlines.js'
import { checkAgentOptions, type AgentOptions } from './agent-options.js'
import { fileHash } from './file-hash.js'
import { closeWithin } from './within.js'
import { connect, lastAttempt, RECONNECT_MAX_MS, settled } from './connection.js'
import { Worker } from './peers.js'
import { decode, encode, stopChannel, type StartReport, type StopOrder, type WireJob, type WireResult } from './wire.js'

export type { AgentOptions } from './agent-options.js'

/** A running agent. */
export interface Agent {
  /** The host name it reports with its results (`JobResult.host`). */
  readonly name: string
  /**
   * Stops taking jobs, stops the running ones (TERM, KILL after their grace), sends their results and closes its connections;
   * with Redis gone or not answering, without the results, within the jobs' longest kill grace plus 15 s at most.
   */
  close(): Promise<void>
}

/**
 * How long a job runs before the agent reports its start. A report is one more Redis script and
 * event per job (raw BullMQ sends none): a job that ends sooner is reported by its result alone,
 * which carries its start, so the producer's runOnStart still fires, with the agent's start time,
 * just before its runOnFinish.
 */
const START_REPORT_MS = 50

/** How long a stop for a job this agent has not (yet) taken is kept: the order may come before the job. */
const EARLY_STOP_MS = 60_000

/**
 * How long close() waits at each step: for the jobs past their kill grace, then for BullMQ's close,
 * then for the pools'. With its waits for the connections (RECONNECT_MAX_MS + CLOSE_MS, then
 * RECONNECT_MAX_MS) and ioredis's 2 s to close a socket that gets no answer, the agent is gone
 * within its jobs' longest kill grace plus 15 s, Redis there or not (docs/remote.md).
 */
const CLOSE_MS = 2000

/**
 * Starts an agent in this process: it takes jobs from the queue and runs them here with forkpool's
 * own runners (what `forkpool worker` does). Resolves once it is connected; rejects when Redis
 * cannot be reached.
 */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  const settings = checkAgentOptions(options)
  const { address, queue, root, maxProcs, lockDurationMs, connectTimeoutMs } = settings
  const name = settings.name ?? hostname()
  /** The jobs running here, by the queue's id: what a stop order, a lost lock or close() stops. */
  const running = new Map<string, Job>()
  const early = new Map<string, NodeJS.Signals>()
  // With commands allowed, commands and fresh processes start from a spawner process, whose
  // death with the agent (even by SIGKILL) takes their process groups along: a lost agent leaves
  // no command of its jobs behind (lib/runners/spawner/runtime.cts). Other processes exit when
  // their parent's IPC channel closes. The pools are the agent's own, sized by its maxProcs.
  const launcher = new Launcher(settings.processPool, settings.threadPool, () => maxProcs, settings.allowCommands ? 1 : 0)
  const deadlines = new Deadlines()
  let lastError: Error | undefined
  const onError = (error: Error): void => void (lastError = error)

  const subscriber = connect(address, null, onError)
  subscriber.on('message', (_channel: string, message: string) => {
    const { jobId, signal } = JSON.parse(message) as StopOrder
    const job = running.get(jobId)
    if (job !== undefined) return stop(job, signal)
    // Not here yet (or not ours): if it comes, it is stopped before it begins.
    early.set(jobId, signal)
    setTimeout(() => early.delete(jobId), EARLY_STOP_MS).unref()
  })
  // Bounded: the connection retries for ever (BullMQ's blocking reads need that), so an unreachable
  // host, or a server that accepts and never answers, would keep the subscribe waiting for ever.
  let giveUp: NodeJS.Timeout | undefined
  const silence = new Promise<never>((_resolve, reject) => {
    giveUp = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs)
  })
  await Promise.race([subscriber.subscribe(stopChannel(queue)), silence]).catch((error: Error) => {
    subscriber.disconnect()
    const cause = lastError ?? error
    throw new RedisUnreachableError(`agent ${name}: cannot reach Redis at ${address.shown}: ${cause.message}`, { cause })
  }).finally(() => clearTimeout(giveUp))

  /** The result of a job this agent did not run: refused, lost past at-most-once, or stopped before it began. */
  const notRun = (error: SerializedError | null, runs: number): string =>
    encode({ exitCode: null, signal: null, error, host: name, pid: null, runs } satisfies WireResult)
  const refuse = (message: string, runs: number): string => notRun(jobError(JobRefusedError, `agent ${name}: ${message}`), runs)

  /** Starts the job as the manager's scheduler does; a start that fails is an execution that has ended with its error. */
  const launch = (job: Job, attempt: number, jobId: string): Execution =>
    launcher.launch(job.spec, job.ident, false, attempt, job, jobId)

  const processJob = async (queued: QueuedJob<WireJob>, token?: string): Promise<string> => {
    const data = queued.data
    const jobId = queued.id!
    const runs = queued.attemptsStarted
    if (data.atMostOnce === true && runs > 1) {
      return notRun(jobError(WorkerLostError, `the agent running job ${jobId} was lost, and delivery is at-most-once: it is not run again`),
        runs - 1)
    }
    let spec = decode(data.spec) as NormalizedJob
    if (spec.type === 'command' && !settings.allowCommands) return refuse('does not run commands (start it with --allow-commands)', runs)
    if (spec.type === 'worker') {
      // A map() chunk runs this agent's own chunk worker file (forkpool's code, trusted as the agent
      // itself is); what --root and the hash must check is the real worker file inside it.
      if (data.chunk === true) spec = { ...spec, url: CHUNK_WORKER_FILE }
      const path = fileURLToPath(data.chunk === true ? (spec.data as ChunkOrder).url : spec.url)
      if (!resolve(path).startsWith(root + sep)) return refuse(`worker ${path} is outside --root ${root}`, runs)
      // A missing file is launched all the same: it fails as it would locally (a WorkerLoadError).
      const hash = fileHash(path)
      if (data.workerHash !== undefined && hash !== data.workerHash) {
        return refuse(`worker ${path} differs from the producer's (changed since it was sent?)`, runs)
      }
    }
    if (early.has(jobId)) {
      // Cancelled while it was on its way here: it never begins (a result as if taken off the queue).
      early.delete(jobId)
      return notRun(null, runs - 1)
    }
    // A stall re-run can come to the agent whose earlier run of the job was lost while that run
    // still winds down here (the re-run fetched before the failed renewal that stops a lost run):
    // the job was handed out again, so that run is lost, and stops now.
    const lost = running.get(jobId)
    if (lost !== undefined) stop(lost, 'SIGTERM')
    const job = new Job(data.ident, spec, spec.type === 'command' ? 'command' : spec.isolation, {
      timeoutMs: data.timeoutMs ?? Infinity, killGraceMs: data.killGraceMs, name: undefined, label: undefined, signal: undefined,
    })
    // In the map before its launch: a stop that comes meanwhile stops it as soon as it is launched.
    running.set(jobId, job)
    // A run after a lost agent is a further attempt of the same try.
    const execution = launch(job, data.attempt + runs - 1, jobId)
    // Its timeout runs from its start, as the manager's does (a spawner's job starts a little later).
    job.launched(execution, deadlines, execution.started === undefined ? Date.now() : await execution.started)
    const stopRenewing = lost === undefined ? undefined : renewLock(queued, token!, () => stop(job, 'SIGTERM'), lockDurationMs, onError)
    // The producer's runOnStart, for a job still running after START_REPORT_MS; the result carries the start too.
    const started: StartReport = { host: name, pid: execution.pid, startedAt: job.startedAt! }
    const report = setTimeout(() => void queued.updateProgress(started).catch(onError), START_REPORT_MS)
    try {
      const result = job.settled(await execution.outcome)
      job.end()
      return encode(wireResult(result, name, runs))
    } finally {
      clearTimeout(report)
      stopRenewing?.()
      // Its own entry only: a re-run of the job may have taken its place (above).
      if (running.get(jobId) === job) running.delete(jobId)
    }
  }

  const connection = connect(address, null, onError)
  const bullWorker = new Worker(queue, processJob, {
    connection,
    concurrency: maxProcs,
    lockDuration: lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
  })
  bullWorker.on('error', onError)
  // A job whose lock this agent lost (cut off from Redis past lockDuration, or the lock taken
  // from it) is BullMQ's to give to another agent, and this run's result would be refused: it
  // stops here (TERM, KILL after its grace) rather than run on beside the next run.
  bullWorker.on('lockRenewalFailed', (jobIds: string[]) => {
    for (const jobId of jobIds) {
      const job = running.get(jobId)
      if (job !== undefined) stop(job, 'SIGTERM')
    }
  })
  await bullWorker.waitUntilReady()

  return {
    name,
    async close() {
      const jobs = [...running.values()]
      for (const job of jobs) stop(job, 'SIGTERM')
      // BullMQ's close begins by disconnecting its blocking connection and waiting for its end, which
      // never comes if the connection is waiting to reconnect then (see settled()): it ends first.
      const blocking = (await bullWorker.getBackend().blockingClient)!
      lastAttempt(blocking)
      await settled(blocking, RECONNECT_MAX_MS + CLOSE_MS)
      // It stops taking jobs and waits for the running ones and for their results' writes. The
      // connections end rather than wait for a Redis that is gone: a write that fails then is not
      // retried (BullMQ is closing), and the close goes on. The jobs end within their kill grace.
      const closed = bullWorker.close()
      for (const redis of [connection, subscriber]) lastAttempt(redis)
      await closeWithin(jobs.map((job) => job.ended), Math.max(0, ...jobs.map((job) => job.killGraceMs)) + CLOSE_MS)
      await closeWithin([closed], CLOSE_MS)
      await closeWithin([launcher.close()], CLOSE_MS)
      // Disconnected once connected or ended, not while they wait to reconnect (see settled()): a
      // write BullMQ still waits on then fails, and its close ends.
      await Promise.all([settled(connection, RECONNECT_MAX_MS), settled(subscriber, RECONNECT_MAX_MS)])
      subscriber.disconnect()
      connection.disconnect()
    },
  }
}

/**
 * Stops a running job as a local cancel does: `signal` (a producer's order names it), SIGKILL
 * after the job's kill grace. A SIGKILL for a job already stopping kills it at once: the producer
 * escalates on its own clock (its shutdown's grace may be shorter than the job's).
 */
function stop(job: Job, signal: NodeJS.Signals): void {
  if (signal === 'SIGKILL' && job.stopping) job.execution!.stop('SIGKILL')
  else job.cancel('stopped', signal)
}

/** What the agent returns for a job: its JobResult as the producer's runner outcome, with where and when it ran. */
function wireResult(r: JobResult, host: string, runs: number): WireResult {
  const wire: WireResult = {
    exitCode: r.exitCode, signal: r.signal, data: r.data, error: r.error, threadId: r.threadId,
    host, pid: r.pid, runs, startedAt: r.startedAt,
  }
  if (r.timedOut) wire.timedOut = true
  if (r.stdout !== undefined) wire.stdout = r.stdout
  if (r.stderr !== undefined) wire.stderr = r.stderr
  return wire
}

/**
 * Renews the lock of a run that began while a lost run of the same job still wound down here.
 * BullMQ renews locks by job id, and the lost run's end takes the job off its renewals: without
 * this, the run would lose its lock, be taken for stalled and run again, or fail past
 * maxStalledCount, while it runs on. A renewal refused means the lock is gone after all: the run
 * stops, as on 'lockRenewalFailed'.
 */
function renewLock(
  queued: QueuedJob<WireJob>, token: string, stopRun: () => void, lockDuration: number, onError: (error: Error) => void
): () => void {
  const timer = setInterval(() => {
    queued.extendLock(token, lockDuration).then((renewed) => {
      if (renewed !== 1) stopRun()
    }, onError)
  }, lockDuration / 2)
  return () => clearInterval(timer)
}
