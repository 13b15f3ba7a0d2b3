// isolation 'thread': worker files in a piscina pool of worker threads.

import { EventEmitter } from 'node:events'
import type { Piscina } from 'piscina'
import { serializeError } from '../errors.js'
import type { WorkerSpec } from '../job-spec.js'
import type { Execution, Outcome } from './execution.js'
import { settleOnce } from './settle-once.js'
import type { StopMessage, ThreadReply, ThreadTask } from './thread-entry.js'

const ENTRY = new URL('./thread-entry.js', import.meta.url).href
const EXITED = /worker exited with code: (\d+)/
let pools = 0

interface Pool {
  piscina: Promise<Piscina>
  running: number
  retired: boolean
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
  readonly #deaf = new Map<number, () => void>()
  readonly #retired = new Set<Pool>()

  constructor(size: number) {
    this.#size = Math.max(1, size)
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

  #pool(execArgv: string[]): Pool {
    const key = execArgv.join('\0')
    let pool = this.#pools.get(key)
    if (pool === undefined) {
      const piscina = import('piscina').then(({ Piscina }) => new Piscina({
        filename: ENTRY,
        minThreads: 0,
        maxThreads: this.#size,
        // Keep threads through a batch, but let an idle manager's threads go.
        idleTimeout: 5000,
        concurrentTasksPerWorker: 1,
        execArgv,
        workerData: { stopChannel: this.stopChannelName },
      }))
      pool = { piscina, running: 0, retired: false }
      this.#pools.set(key, pool)
    }
    return pool
  }

  async start(spec: WorkerSpec, ident: string): Promise<Execution> {
    const pool = this.#pool(spec.execArgv)
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
    piscina.run(task, { signal: kill }).then(
      (reply: ThreadReply) => outcome.settle({
        exitCode: reply.exitCode,
        signal: null,
        data: reply.ok ? reply.data : undefined,
        error: reply.ok ? null : reply.error,
        threadId: reply.threadId,
      }),
      (error: unknown) => outcome.settle(threadFailure(error, killed)),
    ).finally(() => {
      this.#deaf.delete(taskId)
      pool.running--
      this.#closeIfDone(pool)
    })
    return {
      kind: 'thread',
      pid: null,
      outcome: outcome.promise,
      stop: (signal) => {
        if (outcome.settled) return
        if (signal === 'SIGKILL') terminate()
        else this.#stopChannel.postMessage({ stop: taskId } satisfies StopMessage)
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

/** A thread task that did not answer: terminated by us, process.exit() inside it, or a crash. */
function threadFailure(error: unknown, terminated: boolean): Outcome {
  if (terminated) {
    return { exitCode: null, signal: null, error: { name: 'AbortError', message: 'the worker thread was terminated' } }
  }
  const exited = error instanceof Error ? EXITED.exec(error.message) : null
  if (exited) return { exitCode: Number(exited[1]), signal: null, error: null }
  return { exitCode: 1, signal: null, error: serializeError(error) }
}
