// isolation 'thread': worker files in a piscina pool of worker threads.

import { EventEmitter } from 'node:events'
import type { Piscina } from 'piscina'
import { AbortError, jobError, serializeError } from '../../errors.js'
import type { WorkerSpec } from '../spec.js'
import type { Execution, Outcome } from '../execution.js'
import { settleOnce } from '../../util/once.js'
import type { ThreadReply, ThreadTask } from './protocol.js'
import { flagStop, type StopMessage } from './stops.js'
import { exitRecords, recordedExit } from './exits.js'

// A CommonJS bootstrap that imports runtime.js: see bootstrap.cts for why.
const ENTRY = new URL('./bootstrap.cjs', import.meta.url).href
let pools = 0

interface Pool {
  key: string
  piscina: Promise<Piscina>
  running: number
  retired: boolean
  /** Why the pool was given up, when it was. */
  failure?: unknown
  closed?: Promise<void>
}

/**
 * One thread per running job (the manager's cap decides how many); the pool grows when the
 * cap does. Threads are started without this process's loaders unless the job asks for them
 * through execArgv, as child processes are.
 */
export class ThreadRunner {
  #pools = new Map<string, Pool>()
  #size: number
  #nextTask = 0
  /** The BroadcastChannel on which stop requests reach the pool's threads. */
  readonly stopChannelName = `forkpool:${process.pid}:${++pools}`
  readonly #stopChannel = new BroadcastChannel(this.stopChannelName)
  /** Slot taskId % length holds taskId once that task was asked to stop (more slots than tasks in flight). */
  readonly #stopFlags = new Int32Array(new SharedArrayBuffer(4 * 4096))
  /** The code of each task that called process.exit(), written by its thread as it exits (see exits.ts). */
  readonly #exitCodes = exitRecords(4096)
  readonly #deaf = new Map<number, () => void>()
  readonly #reported = new Map<number, (threadId: number, uses: number) => void>()
  readonly #retired = new Set<Pool>()

  constructor(size: number) {
    this.#size = Math.max(1, size)
    this.#stopChannel.unref()
    this.#stopChannel.onmessage = (event) => {
      const message = (event as { data: StopMessage }).data
      if ('deaf' in message) this.#deaf.get(message.deaf)?.()
      if ('running' in message) this.#reported.get(message.running)?.(message.threadId, message.uses)
    }
  }

  /** Lets up to `size` thread jobs run at once; a larger size replaces the pools, letting the old ones finish their jobs. */
  resize(size: number): void {
    if (size <= this.#size) return
    this.#size = size
    for (const pool of this.#pools.values()) {
      pool.retired = true
      this.#retired.add(pool)
      this.#closeIfDone(pool)
    }
    this.#pools.clear()
  }

  #closeIfDone(pool: Pool): void {
    if (pool.retired && pool.running === 0) pool.closed ??= pool.piscina.then((p) => p.close())
  }

  #pool(spec: WorkerSpec): Pool {
    const { execArgv, resourceLimits } = spec
    const key = JSON.stringify([execArgv, resourceLimits])
    let pool = this.#pools.get(key)
    if (pool === undefined) {
      const piscina: Promise<Piscina> = import('piscina').then(({ Piscina }) => new Piscina({
        filename: ENTRY,
        minThreads: 0,
        maxThreads: this.#size,
        // Keep threads through a batch, but let an idle manager's threads go.
        idleTimeout: 5000,
        concurrentTasksPerWorker: 1,
        execArgv,
        resourceLimits,
        workerData: { stopChannel: this.stopChannelName, stopFlags: this.#stopFlags, exitCodes: this.#exitCodes },
      }).on('error', (error: unknown) => this.#threadFailed(created, error)))
      const created: Pool = { key, piscina, running: 0, retired: false }
      pool = created
      this.#pools.set(key, pool)
    }
    return pool
  }

  /**
   * A thread failed outside any task. piscina parks idle threads in Atomics.wait, so their event
   * loops do not run between jobs (a timer a job left behind fires during the next job, and fails
   * that one): a failure outside a task means the threads cannot start (a bad execArgv, a broken
   * install). Its jobs would wait forever, so the pool is given up, they fail with this error,
   * and the next job gets a new pool. Without this listener the error would crash the process.
   */
  #threadFailed(pool: Pool, error: unknown): void {
    pool.failure ??= error
    if (this.#pools.get(pool.key) === pool) this.#pools.delete(pool.key)
    pool.retired = true
    pool.closed ??= pool.piscina.then((p) => p.destroy())
  }

  async start(spec: WorkerSpec, ident: string): Promise<Execution> {
    const pool = this.#pool(spec)
    pool.running++
    const piscina = await pool.piscina
    const taskId = ++this.#nextTask
    const outcome = settleOnce<Outcome>()
    // piscina takes any EventEmitter that emits 'abort' as a task's abort signal (documented).
    // One is made per job, and it costs a fraction of an AbortController; piscina listens with
    // once(), so a second emit finds no listener and does nothing.
    const kill = new EventEmitter()
    let killed = false
    const terminate = (): void => {
      killed = true
      kill.emit('abort')
    }
    const task: ThreadTask = { taskId, url: spec.url, ident, data: spec.data }
    this.#deaf.set(taskId, terminate)
    // The thread says which it is once it takes the task; until then the job's thread is unknown.
    let thread: { threadId: number | null; uses: number } = { threadId: null, uses: 1 }
    this.#reported.set(taskId, (threadId, uses) => (thread = { threadId, uses }))
    piscina.run(task, { signal: kill }).then(
      (reply: ThreadReply) => {
        outcome.settle({
        exitCode: reply.exitCode,
        signal: null,
        data: reply.ok ? reply.data : undefined,
        error: reply.ok ? null : reply.error,
        threadId: reply.threadId,
        })
      },
      (error: unknown) => {
        outcome.settle(pool.failure === undefined
          ? threadFailure(error, killed, recordedExit(this.#exitCodes, taskId))
          : { exitCode: null, signal: null, error: serializeError(pool.failure) })
      },
    ).finally(() => {
      this.#deaf.delete(taskId)
      this.#reported.delete(taskId)
      pool.running--
      this.#closeIfDone(pool)
    })
    return {
      kind: 'thread',
      pid: null,
      outcome: outcome.promise,
      get threadId() {
        return thread.threadId
      },
      get uses() {
        return thread.uses
      },
      stop: (signal) => {
        if (outcome.settled) return
        if (signal === 'SIGKILL') {
          terminate()
          return
        }
        flagStop(this.#stopFlags, taskId)
        this.#stopChannel.postMessage({ stop: taskId } satisfies StopMessage)
      },
    }
  }

  /** Closes the pools; the manager calls it once no job is running. */
  async close(): Promise<void> {
    const pools = [...this.#pools.values(), ...this.#retired]
    this.#pools.clear()
    await Promise.all(pools.map((pool) => (pool.closed ??= pool.piscina.then((p) => p.close()))))
    this.#stopChannel.close()
  }
}

/** A thread task that did not answer: terminated by us, process.exit(exitCode) inside it, or a crash. */
function threadFailure(error: unknown, terminated: boolean, exitCode: number | undefined): Outcome {
  if (terminated) {
    return { exitCode: null, signal: null, error: jobError(AbortError, 'the worker thread was terminated') }
  }
  if (exitCode !== undefined) return { exitCode, signal: null, error: null }
  return { exitCode: 1, signal: null, error: serializeError(error) }
}
