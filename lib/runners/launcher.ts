// Which runner runs a job. The runners that live from job to job, the pools of threads and of reused
// worker processes, are made when the first job needs them and belong to one manager.

import type { Backend } from './backend.js'
import { assertCloneable, type NormalizedJob } from './spec.js'
import { startCommand } from './command.js'
import { failedExecution, type Execution, type StopLimits } from './execution.js'
import { processSpawners, type SpawnerSet } from './spawner/spawners.js'
import { startInline } from './inline.js'
import { startFreshProcess } from './process/runner.js'
import { WorkerPool } from './pool/pool.js'
import type { PoolSettings } from './pool/settings.js'
import { startProcess } from './pool/transport.js'
import { startThread } from './thread/transport.js'
import { missingWorkerFile } from '../worker-file/missing-file.js'
import { serializeError } from '../util/serialize-error.js'

const NO_LIMITS: StopLimits = { timeoutMs: Infinity, killGraceMs: 0 }

export class Launcher {
  readonly #processPool: PoolSettings
  readonly #threadPool: PoolSettings
  /** The manager's cap, which may change while jobs run. */
  readonly #cap: () => number
  #threads: WorkerPool | undefined
  #processes: WorkerPool | undefined
  /** How many spawners this manager wants; 0: its commands start from this process. */
  readonly #spawnerCount: number
  /** The process's spawners, once this manager has run a command or a fresh process (see launch()). */
  #spawners: SpawnerSet | undefined

  /** Set: every job runs there, never on this machine. */
  readonly #backend: Backend | undefined

  /**
   * `spawners`: how many spawner processes this manager wants (started with its first command); 0 for none. `backend`: where every job runs
   * instead.
   */
  constructor(processPool: PoolSettings, threadPool: PoolSettings, cap: () => number, spawners: number, backend?: Backend) {
    this.#processPool = processPool
    this.#threadPool = threadPool
    this.#cap = cap
    this.#spawnerCount = spawners
    this.#backend = backend
  }

  /**
   * The spawners, asked for at the first command or fresh process rather than at
   * construction: starting two processes costs CPU a manager of threads or pooled workers would
   * pay for nothing (the process-noop and map-tiny benches lost 10–14% to it on 2 cores). A
   * program that grows big before its first such job calls ForkManager.warm() early.
   */
  #commandSpawners(): SpawnerSet {
    return (this.#spawners ??= processSpawners().grow(this.#spawnerCount))
  }

  /**
   * Starts the job; `serial` (the manager's maxProcs 0) runs worker files in this process. A job
   * whose start comes later (on a spawner, on a backend's machine) has `started`. `attempt`: the
   * try number the worker function sees as ctx.attempt; `limits`: the job's timeout and kill grace, for a
   * backend (locally the manager enforces them). `jobId`: the worker function's ctx.jobId (a remote agent's
   * job: the queue's id).
   */
  launch(
    spec: NormalizedJob, ident: string, serial: boolean, attempt = 1, limits: StopLimits = NO_LIMITS, jobId: string | null = null
  ): Execution {
    if (this.#backend !== undefined) return this.#backend.launch(spec, ident, attempt, limits)
    if (spec.type === 'command') return startCommand(spec, this.#spawnerCount === 0 ? null : this.#commandSpawners())
    // A worker file that is not there fails as its import would (exit code 1, a WorkerLoadError),
    // with no process or thread started for it. A backend's producer need not have the file.
    const missing = missingWorkerFile(spec.url)
    if (missing !== undefined) return failedExecution(serial ? 'inline' : spec.isolation, serializeError(missing), 1)
    if (serial) return startInline(spec, ident, attempt)
    if (spec.isolation === 'process') {
      return startFreshProcess(spec, ident, attempt, jobId, this.#spawnerCount === 0 ? null : this.#commandSpawners())
    }
    if (spec.isolation === 'process-pool') {
      this.#processes ??= new WorkerPool(this.#processPool, this.#cap, startProcess)
      return this.#processes.start(spec, ident, attempt, jobId ?? undefined)
    }
    return (this.#threads ??= new WorkerPool(this.#threadPool, this.#cap, startThread)).start(spec, ident, attempt, jobId ?? undefined)
  }

  /**
   * Refuses at start() a job that could never be sent: a worker job whose data structured clone
   * cannot copy (a TypeError), or what the backend refuses; its check(), when it has one, is the
   * whole check, as it serializes the data itself. `serial`: worker files run in this process.
   */
  check(spec: NormalizedJob, ident: string, serial: boolean): void {
    if (this.#backend?.check !== undefined) this.#backend.check(spec, ident)
    else if (spec.type === 'worker' && !serial) assertCloneable(spec.data, ident)
  }

  /** Releases the threads and the reused processes; the manager calls it once no job is running. */
  async close(): Promise<void> {
    await Promise.all([this.#threads?.close(), this.#processes?.close(), this.#backend?.close()])
  }
}
