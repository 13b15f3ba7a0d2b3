// isolation 'thread': worker files in a piscina pool of worker threads.

import { EventEmitter } from 'node:events'
import type { Piscina } from 'piscina'
import { AbortError, jobError, serializeError, WorkerExitError } from '../../errors.js'
import type { WorkerSpec } from '../spec.js'
import type { SerializedError } from '../../types.js'
import type { Execution, Outcome } from '../execution.js'
import { settleOnce } from '../../util/once.js'
import type { ThreadReply, ThreadTask } from './protocol.js'
import { flagStop, type StopMessage } from './stops.js'
import { exitRecords, recordedExit } from './exits.js'
import { placementOf, placementRecords } from './placements.js'
import type { ThreadPoolSettings } from './settings.js'
import { HeldQueue, HOLD, Hold, holdingBalancer } from './hold.js'
import { LiveThreads } from './live-threads.js'

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
 * One thread per running job by default, or ceil(cap / concurrentTasksPerWorker) threads each
 * running up to that many jobs at once (threadPool.concurrentTasksPerWorker); the pool grows when
 * the cap does. A job the manager admits under its cap runs at once on a thread with room; a held
 * job (hold.ts) waits in piscina's queue for a thread to free, and is told when one takes it.
 * Threads are started without this process's loaders unless the job asks for them through
 * execArgv, as child processes are.
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
  /** Which thread runs each task, written by the thread as it takes it (see placements.ts). */
  readonly #placements = placementRecords(4096)
  readonly #deaf = new Map<number, () => void>()
  readonly #retired = new Set<Pool>()
  readonly #perThread: number
  /** Threads terminated to end a job that shared them: threadId → that job's ident, for its neighbours' errors. */
  readonly #terminatedFor = new Map<number, string>()
  /** Every pool's threads until they exit: close() waits for them (see live-threads.ts). */
  readonly #live = new LiveThreads()

  constructor(size: number, settings: ThreadPoolSettings = { concurrentTasksPerWorker: 1 }) {
    this.#size = Math.max(1, size)
    this.#perThread = settings.concurrentTasksPerWorker
    this.#stopChannel.unref()
    this.#stopChannel.onmessage = (event) => {
      const message = (event as { data: StopMessage }).data
      if ('deaf' in message) this.#deaf.get(message.deaf)?.()
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

  /**
   * True when a job for `spec` may be held (hold.ts): the pool it goes to is the only one, and
   * its threads have exactly `cap` places, so piscina itself never lets more than `cap` run. Not
   * when concurrentTasksPerWorker does not divide the cap, after the cap was lowered (the pool is
   * kept larger), or while a replaced pool still runs jobs.
   */
  holds(spec: WorkerSpec, cap: number): boolean {
    if (this.#size !== cap || cap % this.#perThread !== 0 || this.#pools.size !== 1 || !this.#pools.has(poolKey(spec))) return false
    for (const pool of this.#retired) if (pool.running > 0) return false
    return true
  }

  #pool(spec: WorkerSpec): Pool {
    const { execArgv, resourceLimits } = spec
    const key = poolKey(spec)
    let pool = this.#pools.get(key)
    if (pool === undefined) {
      const piscina: Promise<Piscina> = import('piscina').then(({ Piscina }) => this.#live.watch(new Piscina({
        filename: ENTRY,
        minThreads: 0,
        maxThreads: Math.ceil(this.#size / this.#perThread),
        // Keep threads through a batch, but let an idle manager's threads go.
        idleTimeout: 5000,
        concurrentTasksPerWorker: this.#perThread,
        // In 'sync' mode an idle thread sleeps in Atomics.wait and a thread reads its next task only
        // once it has none running, so tasks sharing a thread would run one after another.
        atomics: this.#perThread === 1 ? 'sync' : 'async',
        // piscina's run-time histograms cost a record per task, and nothing here reads them.
        recordTiming: false,
        loadBalancer: holdingBalancer(this.#perThread) as never,
        taskQueue: new HeldQueue() as never,
        execArgv,
        resourceLimits,
        workerData: { stopChannel: this.stopChannelName, stopFlags: this.#stopFlags, exitCodes: this.#exitCodes, placements: this.#placements },
      }).on('error', (error: unknown) => this.#threadFailed(created, error))))
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

  /**
   * Ends task `taskId` (job `ident`), which shares its thread: terminates the thread, and piscina
   * fails every task on it. A thread that has not taken the task yet is told not to begin it.
   */
  #endThread(piscina: Piscina, taskId: number, ident: string): void {
    flagStop(this.#stopFlags, taskId)
    const threadId = placementOf(this.#placements, taskId)?.threadId
    const thread = piscina.threads.find((worker) => worker.threadId === threadId)
    if (thread === undefined) return
    // Kept: thread ids are never reused, and only a deaf job's SIGKILL adds one.
    this.#terminatedFor.set(thread.threadId, ident)
    void thread.terminate()
  }

  /**
   * A thread that died leaves the pool one short, and piscina starts a thread only when a task is
   * posted or a thread frees: held jobs in its queue would wait for ever. Posting a task already
   * stopped (the thread that takes it finds it so, and calls nothing) makes it start one.
   */
  #refill(piscina: Piscina, url: string): void {
    if (piscina.queueSize === 0) return
    const taskId = ++this.#nextTask
    flagStop(this.#stopFlags, taskId)
    const task: ThreadTask = { taskId, url, ident: '(starts a thread)', attempt: 1, data: undefined }
    // The thread answers it (stopped); a rejection would mean that thread died too, and its jobs have the cause.
    /* c8 ignore next */
    piscina.run(task).catch(() => {})
  }

  /** `began`: the job is held (hold.ts): it waits in the pool's queue, and `began` runs once a thread takes it. `jobId`: a remote job's ctx.jobId (on an agent). */
  async start(spec: WorkerSpec, ident: string, attempt = 1, began?: () => void, jobId?: string): Promise<Execution> {
    const pool = this.#pool(spec)
    pool.running++
    const piscina = await pool.piscina
    const taskId = ++this.#nextTask
    const outcome = settleOnce<Outcome>()
    // Not cloned to the thread: structured clone skips symbol keys.
    const hold = began === undefined ? undefined : new Hold(taskId, began)
    // piscina takes any EventEmitter that emits 'abort' as a task's abort signal (documented).
    // It costs a fraction of an AbortController; piscina listens with once(), so a second emit
    // finds no listener and does nothing. Made only for a job alone on its thread and not held:
    // the others end by terminating their thread, and a held job (most jobs of a start() loop
    // under a full cap) skips the allocation and piscina's listener (seen in thread-cpu profiles).
    const kill = this.#perThread === 1 && hold === undefined ? new EventEmitter() : undefined
    let killed = false
    const terminate = (): void => {
      killed = true
      if (kill !== undefined) kill.emit('abort')
      else this.#endThread(piscina, taskId, ident)
    }
    const task: ThreadTask & { [HOLD]?: Hold } = { taskId, url: spec.url, ident, attempt, data: spec.data }
    if (hold !== undefined) task[HOLD] = hold
    if (jobId !== undefined) task.jobId = jobId
    // A deaf job alone on its thread is terminated at once. One that shares its thread waits for
    // the SIGKILL after the grace period, as in the process pool: terminating ends its neighbours too.
    if (this.#perThread === 1) this.#deaf.set(taskId, terminate)
    const placements = this.#placements
    // Until the thread has taken the task, and once it has ended (its slot may be reused), the
    // placement is this: the thread's answer fills it in at the end.
    let ended: { threadId: number | null; uses: number } | undefined
    const placed = (): { threadId: number | null; uses: number } => ended ?? placementOf(placements, taskId) ?? { threadId: null, uses: 1 }
    // piscina gives a thread running a task that has an abort signal no other task, so jobs that
    // share a thread are ended by terminating their thread instead (endThreadOf).
    // Not for a held job: piscina keeps a task with a signal in a queue of its own, out of order.
    piscina.run(task, kill === undefined ? {} : { signal: kill }).then(
      (reply: ThreadReply) => {
        ended = { threadId: reply.threadId, uses: placed().uses }
        outcome.settle({
        exitCode: reply.exitCode,
        signal: null,
        data: reply.ok ? reply.data : undefined,
        error: reply.ok ? null : reply.error,
        threadId: reply.threadId,
        })
      },
      (error: unknown) => {
        // A held job the pool gave up before a thread took it (its threads could not start) ends
        // as a running job would: it is counted as begun, and fails with the pool's error.
        hold?.begin()
        this.#refill(piscina, spec.url)
        ended = placed()
        const endedFor = killed || ended.threadId === null ? undefined : this.#terminatedFor.get(ended.threadId)
        if (pool.failure !== undefined) outcome.settle({ exitCode: null, signal: null, error: serializeError(pool.failure) })
        else if (endedFor !== undefined) outcome.settle({ exitCode: null, signal: null, error: neighbourEnded(endedFor) })
        else outcome.settle(threadFailure(error, killed, recordedExit(this.#exitCodes, taskId)))
      },
    ).finally(() => {
      this.#deaf.delete(taskId)
      pool.running--
      this.#closeIfDone(pool)
    })
    return {
      kind: 'thread',
      pid: null,
      outcome: outcome.promise,
      get threadId() {
        return placed().threadId
      },
      get uses() {
        return placed().uses
      },
      withdraw: () => {
        if (hold === undefined || !hold.withdraw()) return false
        // It stays in the queue, but the thread that takes it finds it stopped and does not call
        // the worker (stops.ts); the manager has already given it its result.
        flagStop(this.#stopFlags, taskId)
        return true
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
    await this.#live.exited()
    this.#stopChannel.close()
  }
}

/** Jobs with the same execArgv and resourceLimits share a pool. */
function poolKey({ execArgv, resourceLimits }: WorkerSpec): string {
  return execArgv.length === 0 && resourceLimits === undefined ? '' : JSON.stringify([execArgv, resourceLimits])
}

/** What a job gets when its thread was terminated to end another job on it. */
function neighbourEnded(ident: string): SerializedError {
  return jobError(WorkerExitError, `the worker thread was terminated to stop job ${JSON.stringify(ident)}, which shared it`)
}

/** A thread task that did not answer: terminated by us, process.exit(exitCode) inside it, or a crash. */
function threadFailure(error: unknown, terminated: boolean, exitCode: number | undefined): Outcome {
  if (terminated) {
    return { exitCode: null, signal: null, error: jobError(AbortError, 'the worker thread was terminated') }
  }
  if (exitCode !== undefined) return { exitCode, signal: null, error: null }
  return { exitCode: 1, signal: null, error: serializeError(error) }
}
