// isolation 'process-pool': worker files in long-lived Node child processes that take job after
// job, so a job pays for an IPC message instead of a Node start-up. Processes are grouped by what
// is fixed at spawn (execArgv, cwd, env). The manager's cap bounds the jobs; a group has up to
// ceil(cap / concurrentTasksPerWorker) processes taking them.

import type { WorkerSpec } from '../spec.js'
import { parseBytes } from '../../primitives/bytes.js'
import { describe } from '../../util/describe.js'
import { parseDuration } from '../../primitives/duration.js'
import { optionKeys, validateOptions } from '../../util/validate.js'
import type { Duration, SerializedError } from '../../types.js'
import { failedExecution, type Execution } from '../execution.js'
import { PoolWorker } from './worker.js'

/** Options of the reused worker processes (ForkManagerOptions.processPool). */
export interface ProcessPoolOptions {
  /** Recycle a process after this many jobs (for leaky code). Default: Infinity. */
  maxTasksPerWorker?: number
  /** Recycle a process whose resident memory passed this, checked after each job: bytes or `'512MB'`. Default: Infinity. */
  maxWorkerMemory?: number | string
  /** End a process that has been idle this long. Default `'5s'`; Infinity keeps idle processes (they never keep the manager's process alive). */
  idleTimeout?: Duration
  /**
   * How many jobs one process runs at once. Default 1: a job has its process to itself. More
   * (for tiny or asynchronous jobs) lets fewer processes serve the cap, ceil(maxProcs / this) of
   * them, with the orders to each sent in batches; jobs that share a process share its crash,
   * and a stop of one that does not listen to ctx.signal waits for the SIGKILL after killGrace.
   */
  concurrentTasksPerWorker?: number
}

export interface ProcessPoolSettings {
  maxTasksPerWorker: number
  maxWorkerMemory: number
  idleTimeoutMs: number
  concurrentTasksPerWorker: number
}

export const PROCESS_POOL_KEYS = optionKeys<ProcessPoolOptions>({ maxTasksPerWorker: true, maxWorkerMemory: true, idleTimeout: true, concurrentTasksPerWorker: true })
const DEFAULT_IDLE_MS = 5_000

/** Checks ForkManagerOptions.processPool at the manager's construction. */
export function processPoolSettings(options: ProcessPoolOptions | undefined): ProcessPoolSettings {
  if (options === undefined) return { maxTasksPerWorker: Infinity, maxWorkerMemory: Infinity, idleTimeoutMs: DEFAULT_IDLE_MS, concurrentTasksPerWorker: 1 }
  validateOptions(options, 'processPool', PROCESS_POOL_KEYS)
  const { maxTasksPerWorker = Infinity } = options
  if (maxTasksPerWorker !== Infinity && !(Number.isInteger(maxTasksPerWorker) && maxTasksPerWorker >= 1)) {
    throw new RangeError(`processPool.maxTasksPerWorker must be a whole number from 1, or Infinity, got ${describe(maxTasksPerWorker)}`)
  }
  const { concurrentTasksPerWorker = 1 } = options
  if (!(Number.isInteger(concurrentTasksPerWorker) && concurrentTasksPerWorker >= 1)) {
    throw new RangeError(`processPool.concurrentTasksPerWorker must be a whole number from 1, got ${describe(concurrentTasksPerWorker)}`)
  }
  return {
    maxTasksPerWorker,
    concurrentTasksPerWorker,
    maxWorkerMemory: options.maxWorkerMemory === undefined ? Infinity : parseBytes(options.maxWorkerMemory, 'processPool.maxWorkerMemory'),
    idleTimeoutMs: options.idleTimeout === undefined ? DEFAULT_IDLE_MS : parseDuration(options.idleTimeout, 'processPool.idleTimeout'),
  }
}

interface Group {
  workers: PoolWorker[]
  /** Whether a process of this group ever got ready: until then a start-up failure is the group's, not a fluke. */
  started: boolean
  /** Set when the first process of the group could not start: its jobs then fail at once, without a respawn. */
  startError?: SerializedError
}

export class ProcessPool {
  readonly #settings: ProcessPoolSettings
  /** The manager's cap, which may change while jobs run. */
  readonly #cap: () => number
  readonly #groups = new Map<string, Group>()
  readonly #workers = new Set<PoolWorker>()
  #nextTask = 0

  constructor(settings: ProcessPoolSettings, cap: () => number) {
    this.#settings = settings
    this.#cap = cap
  }

  /** `jobId`: a remote job's ctx.jobId (on an agent); none locally. */
  start(spec: WorkerSpec, ident: string, attempt = 1, jobId?: string): Execution {
    const group = this.#group(spec)
    if (group.startError !== undefined) {
      return failedExecution('process-pool', group.startError)
    }
    const seq = ++this.#nextTask
    const worker = this.#pick(group) ?? this.#spawn(spec, group)
    const execution = worker.run(seq, spec, ident, attempt, jobId)
    if (worker.tasks >= this.#settings.maxTasksPerWorker) worker.retire()
    if (worker.load >= this.#settings.concurrentTasksPerWorker) worker.flush()
    return execution
  }

  /** Ends every process; the manager calls it once no job is running. */
  async close(): Promise<void> {
    for (const worker of this.#workers) worker.retire()
    await Promise.all([...this.#workers].map((worker) => worker.gone))
  }

  /**
   * The process for the next job of a group: an idle one (the one used last: the busiest stay
   * warm and the spare ones reach their idle timeout), else a new one while the group has fewer
   * than it needs to serve the cap, else the least busy with room; undefined: spawn one.
   */
  #pick(group: Group): PoolWorker | undefined {
    const perWorker = this.#settings.concurrentTasksPerWorker
    let best: PoolWorker | undefined
    let accepting = 0
    // Indexed: called for every job, and a for-of makes an iterator until V8 has optimized it.
    for (let i = 0; i < group.workers.length; i++) {
      const worker = group.workers[i]!
      if (!worker.accepting) continue
      accepting++
      if (worker.load >= perWorker) continue
      if (best === undefined || worker.load < best.load || (worker.load === best.load && worker.lastUsed > best.lastUsed)) best = worker
    }
    if (best?.load === 0) return best
    return accepting < Math.ceil(this.#cap() / perWorker) ? undefined : best
  }

  #group(spec: WorkerSpec): Group {
    // The usual setup (no execArgv, cwd or env) skips building a key per job.
    const usual = spec.execArgv.length === 0 && spec.cwd === undefined && spec.env === undefined
    const key = usual ? '' : JSON.stringify([spec.execArgv, spec.cwd ?? null, spec.env ?? null])
    let group = this.#groups.get(key)
    if (group === undefined) {
      group = { workers: [], started: false }
      this.#groups.set(key, group)
    }
    return group
  }

  #spawn(spec: WorkerSpec, group: Group): PoolWorker {
    const { maxWorkerMemory, idleTimeoutMs } = this.#settings
    const worker = new PoolWorker(spec, {
      ready: () => (group.started = true),
      answered: (w, rss) => {
        if (rss > maxWorkerMemory) w.retire()
      },
      idle: (w) => w.park(idleTimeoutMs),
      gone: (w, startError) => {
        this.#workers.delete(w)
        group.workers.splice(group.workers.indexOf(w), 1)
        if (startError !== null && !group.started) group.startError = startError
      },
    }, maxWorkerMemory !== Infinity)
    this.#workers.add(worker)
    group.workers.push(worker)
    return worker
  }
}
