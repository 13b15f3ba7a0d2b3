// The runners an agent keeps from job to job: the producer's isolation is honoured here, so a
// 'process-pool' job runs in a reused process and a 'thread' job on a thread, as they would on the
// producer's machine (a fresh Node process per job cost ~20x the throughput of raw BullMQ).
// Each pool is sized by the agent's concurrency and made at the first job that needs it.

import { startCommand } from '../runners/command.js'
import type { Execution } from '../runners/execution.js'
import { WorkerPool } from '../runners/pool/pool.js'
import { processPoolSettings, threadPoolSettings } from '../runners/pool/settings.js'
import { startProcess } from '../runners/pool/transport.js'
import { startProcessWorker } from '../runners/process/runner.js'
import type { NormalizedJob } from '../runners/spec.js'
import type { SpawnerSet } from '../runners/spawner/spawners.js'
import { startThread } from '../runners/thread/transport.js'

export class AgentRunners {
  readonly #concurrency: number
  readonly #tasksPerWorker: number
  readonly #spawners: SpawnerSet | null
  #processes: WorkerPool | undefined
  #threads: WorkerPool | undefined

  /**
   * `tasksPerWorker`: jobs at once in one reused process or thread; `spawners`: where commands and fresh worker processes start (null: this
   * agent runs no command, and forks its workers itself).
   */
  constructor(concurrency: number, tasksPerWorker: number, spawners: SpawnerSet | null) {
    this.#concurrency = concurrency
    this.#tasksPerWorker = tasksPerWorker
    this.#spawners = spawners
  }

  /** Starts the job in the runner its isolation names; `attempt` and `jobId` are the worker's ctx.attempt and ctx.jobId. */
  start(spec: NormalizedJob, ident: string, attempt: number, jobId: string): Execution | Promise<Execution> {
    if (spec.type === 'command') return startCommand(spec, this.#spawners)
    if (spec.isolation === 'process-pool') {
      this.#processes ??= new WorkerPool(processPoolSettings({ concurrentTasksPerWorker: this.#tasksPerWorker }), () => this.#concurrency,
        startProcess)
      return this.#processes.start(spec, ident, attempt, jobId)
    }
    if (spec.isolation === 'thread') {
      this.#threads ??= new WorkerPool(threadPoolSettings({ concurrentTasksPerWorker: this.#tasksPerWorker }), () => this.#concurrency,
        startThread)
      return this.#threads.start(spec, ident, attempt, jobId)
    }
    return startProcessWorker(spec, ident, attempt, jobId, this.#spawners)
  }

  /** Ends the reused processes and the threads; the agent calls it once its jobs have ended. */
  async close(): Promise<void> {
    await Promise.all([this.#processes?.close(), this.#threads?.close()])
  }
}
