// isolations 'process-pool' and 'thread': worker files in long-lived workers, Node child processes
// or worker threads (the Transport), that take job after job, so a job pays for a message instead
// of a start-up. Workers are grouped by what is fixed at their start (execArgv, cwd, env,
// resourceLimits). The manager's cap bounds the jobs; a group has up to
// ceil(cap / concurrentTasksPerWorker) workers taking them.

import type { WorkerSpec } from '../spec.js'
import type { SerializedError } from '../../types.js'
import { failedExecution, type Execution } from '../execution.js'
import type { PoolSettings } from './settings.js'
import type { StartTransport } from './transport.js'
import { PoolWorker } from './worker.js'

interface Group {
  workers: PoolWorker[]
  /** Whether a worker of this group ever got ready: until then a start-up failure is the group's, not a fluke. */
  started: boolean
  /** Set when the first worker of the group could not start: its jobs then fail at once, without a respawn. */
  startError?: SerializedError
}

export class WorkerPool {
  readonly #settings: PoolSettings
  readonly #start: StartTransport
  /** The manager's cap, which may change while jobs run. */
  readonly #cap: () => number
  readonly #groups = new Map<string, Group>()
  readonly #workers = new Set<PoolWorker>()
  #nextTask = 0

  /** `start`: how a worker is started, a process or a thread. */
  constructor(settings: PoolSettings, cap: () => number, start: StartTransport) {
    this.#settings = settings
    this.#start = start
    this.#cap = cap
  }

  /** `jobId`: a remote job's ctx.jobId (on an agent); none locally. */
  start(spec: WorkerSpec, ident: string, attempt = 1, jobId?: string): Execution {
    const group = this.#group(spec)
    if (group.startError !== undefined) {
      return failedExecution(spec.isolation, group.startError)
    }
    const seq = ++this.#nextTask
    const worker = this.#pick(group) ?? this.#spawn(spec, group)
    const execution = worker.run(seq, spec, ident, attempt, jobId)
    if (worker.tasks >= this.#settings.maxTasksPerWorker) worker.retire()
    if (worker.load >= this.#settings.concurrentTasksPerWorker) worker.flush()
    return execution
  }

  /** Ends every worker, and resolves once each has exited; the manager calls it once no job is running. */
  async close(): Promise<void> {
    for (const worker of this.#workers) worker.retire()
    await Promise.all([...this.#workers].map((worker) => worker.gone))
  }

  /**
   * The worker for the next job of a group: an idle one (the one used last: the busiest stay
   * warm and the spare ones reach their idle timeout), else a new one while the group has fewer
   * than it needs to serve the cap, else the least busy with room; undefined: spawn one.
   */
  #pick(group: Group): PoolWorker | undefined {
    const perWorker = this.#settings.concurrentTasksPerWorker
    let best: PoolWorker | undefined
    let accepting = 0
    for (const worker of group.workers) {
      if (!worker.accepting) continue
      accepting++
      if (worker.load >= perWorker) continue
      if (best === undefined || worker.load < best.load || (worker.load === best.load && worker.lastUsed > best.lastUsed)) best = worker
    }
    if (best?.load === 0) return best
    return accepting < Math.ceil(this.#cap() / perWorker) ? undefined : best
  }

  #group(spec: WorkerSpec): Group {
    // The usual setup (no execArgv, cwd, env or resourceLimits) skips building a key per job.
    const usual = spec.execArgv.length === 0 && spec.cwd === undefined && spec.env === undefined && spec.resourceLimits === undefined
    const key = usual ? '' : JSON.stringify([spec.execArgv, spec.cwd ?? null, spec.env ?? null, spec.resourceLimits ?? null])
    let group = this.#groups.get(key)
    if (group === undefined) {
      group = { workers: [], started: false }
      this.#groups.set(key, group)
    }
    return group
  }

  #spawn(spec: WorkerSpec, group: Group): PoolWorker {
    const { maxWorkerMemory, idleTimeoutMs } = this.#settings
    const worker = new PoolWorker(spec, this.#start, {
      ready: () => (group.started = true),
      answered: (w, rss) => {
        if (rss > maxWorkerMemory) w.retire()
      },
      idle: (w) => w.park(idleTimeoutMs),
      gone: (w, startError) => {
        // close() waits for it until it has exited (a terminated thread may take a while).
        void w.gone.then(() => this.#workers.delete(w))
        group.workers.splice(group.workers.indexOf(w), 1)
        if (startError !== null && !group.started) group.startError = startError
      },
    }, maxWorkerMemory !== Infinity)
    this.#workers.add(worker)
    group.workers.push(worker)
    return worker
  }
}
