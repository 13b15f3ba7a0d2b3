// The agent (`forkpool worker`): takes jobs from the queue and runs them with forkpool's own
// runners on this machine (agent-run.ts), so timeouts, kill escalation and cancel work as they
// do locally. For each job it reports its start (host, pid) as the job's progress, and returns
// its outcome as the job's value, whatever the exit code: a job's failure is a result, never a
// BullMQ failure. BullMQ fails a job only when its agents were lost too often (stalls).

import { hostname } from 'node:os'
import { resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Job } from 'bullmq'
import { WorkerLostError, jobError, serializeError } from '../errors.js'
import { CHUNK_WORKER } from '../map/batch.js'
import type { ChunkOrder } from '../map/chunk-worker.js'
import { processSpawners } from '../runners/spawner/spawners.js'
import type { NormalizedJob } from '../runners/spec.js'
import type { SerializedError } from '../types.js'
import { validateCount } from '../util/validate.js'
import { AgentRun } from './agent-run.js'
import { AgentRunners } from './agent-runners.js'
import { fileHash } from './file-hash.js'
import { closeWithin } from './redis-backend.js'
import { checkRedisUrl, connect } from './connection.js'
import { Worker } from './peers.js'
import { checkQueueName, decode, encode, stopChannel, type StartReport, type StopOrder, type WireJob, type WireResult } from './wire.js'

/** The options of `startAgent()`, which the `forkpool worker` command's flags fill in. */
export interface AgentOptions {
  /** `redis://…`, `rediss://…` or `redis+unix://…` (see redisBackend). */
  url: string
  /** The queue's name, as the producers' `redisBackend({ queue })`. */
  queue: string
  /** Jobs at once on this agent. */
  concurrency: number
  /** The host name reported with its results. Default: os.hostname(). */
  name?: string
  /** Worker files run only from under this folder. */
  root: string
  /** Command jobs run only when true. */
  allowCommands?: boolean
  /** BullMQ's lock, ms: how soon a lost agent's jobs are taken by another (about lockDuration + stalledInterval). Default 30000. */
  lockDuration?: number
  /** How often BullMQ looks for jobs of lost agents, ms. Default 30000. */
  stalledInterval?: number
  /** How often a job may lose its agent and still run again. Default 1: at most two runs. */
  maxStalledCount?: number
  /**
   * How many jobs one reused process ('process-pool' jobs) or thread ('thread' jobs) runs at once, as the producer's
   * processPool/threadPool.concurrentTasksPerWorker. Default 1.
   */
  tasksPerWorker?: number
  /** How long startAgent() waits for Redis to answer, ms, before it rejects saying why. Default 10000 (the producer's connectTimeout). */
  connectTimeout?: number
}

/** A running agent. */
export interface Agent {
  /** The host name it reports with its results (`JobResult.host`). */
  readonly name: string
  /** Stops taking jobs, stops the running ones (TERM, KILL after their grace) and closes its connections. */
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
 * Starts an agent in this process: it takes jobs from the queue and runs them here with forkpool's
 * own runners (what `forkpool worker` does). Resolves once it is connected; rejects when Redis
 * cannot be reached.
 */
export async function startAgent(options: AgentOptions): Promise<Agent> {
  const address = checkRedisUrl(options.url, 'agent url')
  const queue = checkQueueName(options.queue)
  const concurrency = validateCount(options.concurrency, 'agent concurrency', 1)
  const lockDuration = validateCount(options.lockDuration ?? 30_000, 'agent lockDuration', 1)
  const stalledInterval = validateCount(options.stalledInterval ?? 30_000, 'agent stalledInterval', 1)
  const maxStalledCount = validateCount(options.maxStalledCount ?? 1, 'agent maxStalledCount', 0)
  const tasksPerWorker = validateCount(options.tasksPerWorker ?? 1, 'agent tasksPerWorker', 1)
  const connectTimeout = validateCount(options.connectTimeout ?? 10_000, 'agent connectTimeout', 1)
  const name = options.name ?? hostname()
  const root = resolve(options.root)
  const running = new Map<string, AgentRun>()
  const early = new Map<string, NodeJS.Signals>()
  // Commands start from a spawner process, whose death with the agent takes their process groups along.
  const spawners = options.allowCommands === true ? processSpawners().grow(1) : null
  const runners = new AgentRunners(concurrency, tasksPerWorker, spawners)
  let lastError: Error | undefined
  const onError = (error: Error): void => void (lastError = error)

  const subscriber = connect(address, true, onError)
  subscriber.on('message', (_channel: string, message: string) => {
    const { jobId, signal } = JSON.parse(message) as StopOrder
    const run = running.get(jobId)
    if (run !== undefined) return run.stop(signal)
    // Not here yet (or not ours): if it comes, it is stopped before it begins.
    early.set(jobId, signal)
    setTimeout(() => early.delete(jobId), EARLY_STOP_MS).unref()
  })
  // Bounded: the connection retries for ever (BullMQ's blocking reads need that), so an unreachable
  // host, or a server that accepts and never answers, would keep the subscribe waiting for ever.
  let giveUp: NodeJS.Timeout | undefined
  const silence = new Promise<never>((_resolve, reject) => {
    giveUp = setTimeout(() => reject(new Error(`no answer within ${connectTimeout} ms`)), connectTimeout)
  })
  await Promise.race([subscriber.subscribe(stopChannel(queue)), silence]).catch((error: Error) => {
    subscriber.disconnect()
    throw new Error(`agent ${name}: cannot reach Redis at ${address.shown}: ${lastError?.message ?? error.message}`)
  }).finally(() => clearTimeout(giveUp))

  /** The result of a job this agent did not run: refused, lost past at-most-once, or stopped before it began. */
  const notRun = (error: SerializedError | null, runs: number): string => encode({
    exitCode: null, signal: null, error, host: name, pid: null, runs,
  } satisfies WireResult)
  const refuse = (message: string, runs: number): string => notRun(serializeError(new Error(`agent ${name}: ${message}`)), runs)

  const processJob = async (job: Job<WireJob>, token?: string): Promise<string> => {
    const data = job.data
    const jobId = job.id!
    const runs = job.attemptsStarted
    if (data.atMostOnce === true && runs > 1) {
      return notRun(jobError(WorkerLostError, `the agent running job ${jobId} was lost, and delivery is at-most-once: it is not run again`),
        runs - 1)
    }
    let spec = decode(data.spec) as NormalizedJob
    if (spec.type === 'command' && options.allowCommands !== true) {
      return refuse('does not run commands (start it with --allow-commands)',
        runs)
    }
    if (spec.type === 'worker') {
      // A map() chunk runs this agent's own chunk worker (forkpool's code, trusted as the agent
      // itself is); what --root and the hash must check is the real worker file inside it.
      if (data.chunk === true) spec = { ...spec, url: CHUNK_WORKER }
      const path = fileURLToPath(data.chunk === true ? (spec.data as ChunkOrder).url : spec.url)
      if (!resolve(path).startsWith(root + sep)) return refuse(`worker ${path} is outside --root ${root}`, runs)
      // A missing file is run all the same: it fails as it would locally (ERR_MODULE_NOT_FOUND).
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
    lost?.stop('SIGTERM')
    // A run after a lost agent is a further attempt of the same try.
    const run = await AgentRun.start(spec, data.ident, data.attempt + runs - 1, jobId, data, runners)
    running.set(jobId, run)
    const stopRenewing = lost === undefined ? undefined : renewLock(job, token!, run, lockDuration, onError)
    const startedAt = Date.now()
    // The producer's runOnStart, for a job still running after START_REPORT_MS; the result carries the start too.
    const report = setTimeout(() => void job.updateProgress({ host: name, pid: run.pid, startedAt } satisfies StartReport).catch(onError),
      START_REPORT_MS)
    try {
      const outcome = await run.ended()
      return encode({ ...outcome, host: name, pid: run.pid, runs, startedAt } satisfies WireResult)
    } finally {
      clearTimeout(report)
      stopRenewing?.()
      // Its own entry only: a re-run of the job may have taken its place (above).
      if (running.get(jobId) === run) running.delete(jobId)
    }
  }

  const connection = connect(address, true, onError)
  const worker = new Worker(queue, processJob, {
    connection,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
  })
  worker.on('error', onError)
  // A job whose lock this agent lost (cut off from Redis past lockDuration, or the lock taken
  // from it) is BullMQ's to give to another agent, and this run's result would be refused: it
  // stops here (TERM, KILL after its grace) rather than run on beside the next run.
  worker.on('lockRenewalFailed', (jobIds: string[]) => {
    for (const jobId of jobIds) running.get(jobId)?.stop('SIGTERM')
  })
  await worker.waitUntilReady()

  return {
    name,
    async close() {
      for (const run of running.values()) run.stop('SIGTERM')
      await closeWithin([worker.close()], 2000)
      await closeWithin([runners.close()], 2000)
      subscriber.disconnect()
      connection.disconnect()
    },
  }
}

/**
 * Renews the lock of a run that began while a lost run of the same job still wound down here.
 * BullMQ renews locks by job id, and the lost run's end takes the job off its renewals: without
 * this, the run would lose its lock, be taken for stalled and run again, or fail past
 * maxStalledCount, while it runs on. A renewal refused means the lock is gone after all: the run
 * stops, as on 'lockRenewalFailed'.
 */
function renewLock(job: Job<WireJob>, token: string, run: AgentRun, lockDuration: number, onError: (error: Error) => void): () => void {
  const timer = setInterval(() => {
    job.extendLock(token, lockDuration).then((renewed) => {
      if (renewed !== 1) run.stop('SIGTERM')
    }, onError)
  }, lockDuration / 2)
  return () => clearInterval(timer)
}
