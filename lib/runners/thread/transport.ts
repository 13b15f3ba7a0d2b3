// isolation 'thread': the pool's workers as worker threads (lib/runners/pool/ runs them, as it runs
// reused processes). All that differs from a process is here: a thread is started with the job's
// execArgv and resourceLimits, talks over its MessagePort, is retired by a message (a thread has
// no IPC channel to close) and ended by terminate(); an uncaught exception arrives as an 'error'.
// The pool never terminates a thread while it starts or imports a module, it abandons it until then
// (see worker.ts #kill): Node itself leaves the fds of the files being read open when a thread is
// terminated then (bench/repro/thread-fd-leak.mjs).

import { Worker } from 'node:worker_threads'
import { RUNTIME, type StartTransport } from '../pool/transport.js'
import type { PoolMessage } from '../pool/protocol.js'

export const startThread: StartTransport = (spec, events) => {
  const thread = new Worker(RUNTIME, {
    execArgv: spec.execArgv,
    resourceLimits: spec.resourceLimits,
    // Threads are started without this process's loaders unless the job asks for them through
    // execArgv, as child processes are.
  })
  let error: unknown
  let ended = false
  const end = (code: number | null, killed: boolean): void => {
    if (ended) return
    ended = true
    events.exit(code, null, error, killed)
  }
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()))
  // An abandoned thread (worker.ts #kill) says only when it can be terminated.
  thread.on('message', (message: PoolMessage) => (!ended || 'ready' in message || 'loaded' in message) && events.message(message))
  // An uncaught exception, or the thread past its resourceLimits: its 'exit' follows.
  thread.on('error', (cause) => (error = cause))
  // Messages it posted before it ended, its answers as it exits included, come before this.
  thread.on('exit', (code) => end(code, false))
  const { threadId } = thread
  return {
    kind: 'thread',
    pid: null,
    threadId,
    details: Object.freeze({ threadId }),
    name: `the worker thread ${threadId}`,
    send(orders) {
      // Orders, or null: exit once idle.
      thread.postMessage(orders)
    },
    hold(busy) {
      if (busy) thread.ref()
      else thread.unref()
    },
    // A terminated thread runs no more JavaScript: its jobs end now. It may take a while to exit
    // (one held in a system call, until the call returns); `exited` waits for that. It has no
    // exit code of its own (Node says 1), as a killed process has none.
    kill() {
      void thread.terminate()
      end(null, error === undefined)
    },
    abandon() {
      end(null, error === undefined)
    },
    exited,
  }
}
