// How a stop reaches a thread job. Plain functions, so the decisions run and are tested in the
// main thread (test/runners/thread/stops.test.ts); runtime.ts and runner.ts only wire them up
// (a pool thread's coverage is lost when a test terminates it: see run-task.ts).

import type { BroadcastChannel } from 'node:worker_threads'
import type { CallContext } from '../../worker/call.js'
import { AbortError } from '../../errors.js'

/**
 * Messages on the pool's stop channel: the parent asks a task to stop; a thread says a task
 * cannot hear it. (Which thread runs a task goes through shared memory: see placements.ts.)
 */
export type StopMessage = { stop: number } | { deaf: number }

/** The parent side: marks `taskId` as stopped, for a thread that has not picked it up yet. */
export function flagStop(flags: Int32Array, taskId: number): void {
  Atomics.store(flags, taskId % flags.length, taskId)
}

/**
 * The thread side, as it takes a task: a stop can overtake its task (posted before any thread
 * picked it up, or before this thread had a channel to hear it on), and the shared flags keep it.
 */
export function abortIfStoppedEarly(flags: Int32Array, taskId: number, ctx: CallContext): void {
  if (Atomics.load(flags, taskId % flags.length) === taskId) ctx.abort(stopReason(ctx))
}

/**
 * The thread side, for a message on the stop channel. A stop for a task this thread runs fires
 * its ctx.signal when the worker listens, or when it has not begun: a worker still loading is
 * told not to begin rather than interrupted (terminating a thread mid-import leaks the fds of the
 * files being read). A running worker deaf to ctx.signal is reported, and the parent terminates
 * the thread. Anything else is not for this thread.
 */
export function answerStop(message: StopMessage, running: ReadonlyMap<number, CallContext>, post: (message: StopMessage) => void): void {
  if (!('stop' in message)) return
  const ctx = running.get(message.stop)
  if (ctx === undefined) return
  if (ctx.listening || !ctx.started) ctx.abort(stopReason(ctx))
  else post({ deaf: message.stop })
}

/**
 * The thread side: answers stops heard on `channel`, the pool's stop channel, which must not keep
 * the thread alive.
 */
export function listenForStops(channel: BroadcastChannel, running: ReadonlyMap<number, CallContext>): void {
  channel.unref()
  const post = (message: StopMessage): void => channel.postMessage(message)
  channel.onmessage = (event: unknown) => answerStop((event as { data: StopMessage }).data, running, post)
}

function stopReason(ctx: CallContext): AbortError {
  return new AbortError(`job ${JSON.stringify(ctx.ident)} was asked to stop`)
}
