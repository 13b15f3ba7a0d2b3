// How the pool (worker.ts) talks to one of its workers: the few operations that differ between a
// reused child process (here, over child_process IPC) and a worker thread (thread/transport.ts,
// over its MessagePort). Everything else, the protocol, the job ids, stops and crashes, is the
// pool's, the same for both.

import { fork, type ChildProcess } from 'node:child_process'
import type { Isolation } from '../../types.js'
import type { WorkerSpec } from '../spec.js'
import type { OutcomeDetails } from '../execution.js'
import { MEASURE_RSS, type PoolMessage, type PoolOrders } from './protocol.js'
// A default import: a TypeScript loader (tap's, tsx) can hide a .cts file's named exports from an ES module.
import childOutputModule from '../../util/child-output.cjs'

const { childOutput } = childOutputModule

/** The worker's entry point, the same file for a process and a thread. */
export const RUNTIME = new URL('./runtime.js', import.meta.url)

/** What a transport tells the pool. */
export interface TransportEvents {
  message(message: PoolMessage): void
  /**
   * The worker is gone, its last message delivered: its exit code or signal; `error`, what ended
   * it when it says (a thread's uncaught exception, a spawn that failed); `killed`, true when
   * kill() ended it.
   */
  exit(code: number | null, signal: NodeJS.Signals | null, error: unknown, killed: boolean): void
}

export interface Transport {
  readonly kind: Extract<Isolation, 'process-pool' | 'thread'>
  /** Its process id; null for a thread, and for a process that could not be spawned. */
  readonly pid: number | null
  /** Its thread id; null for a process. */
  readonly threadId: number | null
  /** What every job's outcome here carries into its JobResult (a thread's id), one object for all of them; absent for a process. */
  readonly details?: OutcomeDetails
  /** What it is, in a message: `the worker process 123`. */
  readonly name: string
  /** Sends a batch of orders; throws at once, sending nothing, when a value in it cannot be cloned. */
  send(orders: PoolOrders | null): void
  /** A busy worker keeps this process alive, as a fresh process would; an idle one does not. */
  hold(busy: boolean): void
  /** Ends it now: a process gets `signal` (it has no handler of its own), a thread is terminated. */
  kill(signal: NodeJS.Signals): void
  /**
   * A thread's jobs end now as if it were killed, while it runs on until kill(): only its `ready`
   * and `loaded` notes still come (worker.ts #kill). A thread's only: a process is killed at once.
   */
  abandon?(): void
  /** Settles once it has exited: after its exit event, or later (a thread terminated in a system call). */
  readonly exited: Promise<void>
}

/** Starts a worker; `measureRss`: it reports its resident memory with its answers. */
export type StartTransport = (spec: WorkerSpec, events: TransportEvents, measureRss: boolean) => Transport

/** A reused child process. Retired by closing its IPC channel (send(null)): it exits when it sees it close. */
export const startProcess: StartTransport = (spec, events, measureRss) => {
  // Its own description of this process's stdout pipe, whose flags no other job shares (util/child-output.cts).
  const output = childOutput()
  let child: ChildProcess
  try {
    child = fork(RUNTIME, measureRss ? [MEASURE_RSS] : [], {
      execArgv: spec.execArgv,
      cwd: spec.cwd,
      env: spec.env && { ...process.env, ...spec.env },
      stdio: ['ignore', output.stdout, output.stderr, 'ipc'],
      serialization: 'advanced',
      // Not detached (unlike isolation 'process'): a process in a session of its own gets its own
      // scheduler autogroup on Linux, which doubled the IPC round trip under load here. So a stop
      // reaches the worker process, not what a job started: jobs that start processes belong in
      // isolation 'process'.
    })
  } finally {
    output.close()
  }
  const pid = child.pid ?? null
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let killSignal: NodeJS.Signals | undefined
  let ended = false
  let exited!: () => void
  const end = (code: number | null, signal: NodeJS.Signals | null, error: unknown): void => {
    if (ended) return
    ended = true
    exited()
    events.exit(code, signal, error, signal !== null && signal === killSignal)
  }
  child.on('message', (message: PoolMessage) => events.message(message))
  // A reply may arrive after 'exit'; the channel's 'disconnect' is the last word.
  const endIfDone = (): void => {
    if (exit !== undefined && !child.connected) end(exit.code, exit.signal, undefined)
  }
  child.on('exit', (code, signal) => {
    exit = { code, signal }
    endIfDone()
  })
  child.on('disconnect', endIfDone)
  child.on('error', (error: NodeJS.ErrnoException) => {
    // Spawning failed (a bad cwd, no memory): there is no process to wait for. Otherwise a send to
    // a process that just died: its 'exit' tells the story.
    if (pid === null) end(null, null, error)
  })
  return {
    kind: 'process-pool',
    pid,
    threadId: null,
    name: `the worker process ${pid}`,
    send(orders) {
      if (orders === null) {
        child.disconnect()
      } else {
        // To a process that has just died this is an 'error' event, and its exit settles the jobs.
        child.send(orders)
      }
    },
    hold(busy) {
      if (busy) child.ref()
      else child.unref()
      // Only ever called while the channel is open.
      const channel = child.channel as { ref(): void; unref(): void }
      if (busy) channel.ref()
      else channel.unref()
    },
    kill(signal) {
      killSignal = signal
      child.kill(signal)
    },
    exited: new Promise((resolve) => (exited = resolve)),
  }
}
