// The file piscina runs in each pool thread: it calls worker files the same way a child process does.

import { threadId, workerData } from 'node:worker_threads'
import { callWorker, CallContext, uncloneableReply, type WorkerReply } from '../worker-call.js'

export interface ThreadTask {
  taskId: number
  url: string
  ident: string
  data: unknown
}

export type ThreadReply = WorkerReply & { threadId: number }

/**
 * Messages on the pool's stop channel: the parent asks a task to stop; a thread says a task
 * cannot hear it, or that it is running a task (its thread id, and how many tasks it has run).
 */
export type StopMessage = { stop: number } | { deaf: number } | { running: number; threadId: number; uses: number }

const running = new Map<number, CallContext>()
let tasksRun = 0
const { stopChannel, stopFlags } = workerData as { stopChannel: string; stopFlags: Int32Array }
const channel = new BroadcastChannel(stopChannel)
channel.unref()
channel.onmessage = (event) => {
  const message = (event as { data: StopMessage }).data
  if (!('stop' in message)) return
  const ctx = running.get(message.stop)
  // Not running here: another thread's, or not picked up yet (then the stop flag tells runTask).
  if (ctx === undefined) return
  // A worker still loading is not interrupted (terminating a thread mid-import leaked the fds of
  // the files being read, in the soak): it is told not to begin, which callWorker honours. Only a
  // running worker that never looked at ctx.signal is terminated at once.
  if (ctx.listening || !ctx.started) {
    ctx.abort(new Error(`job ${JSON.stringify(ctx.ident)} was asked to stop`))
    return
  }
  // The parent terminates this thread on this message, so its coverage is never written; the
  // effect is tested ("a running thread job that does not listen is terminated at once").
  /* c8 ignore next */
  channel.postMessage({ deaf: message.stop } satisfies StopMessage)
}

export default async function runTask(task: ThreadTask): Promise<ThreadReply> {
  const ctx = new CallContext(task.ident)
  // A stop can overtake its task: posted before any thread picked the task up, or before this
  // thread had a channel to hear it on. The shared flags keep it.
  if (Atomics.load(stopFlags, task.taskId % stopFlags.length) === task.taskId) ctx.abort(new Error(`job ${JSON.stringify(task.ident)} was asked to stop`))
  running.set(task.taskId, ctx)
  channel.postMessage({ running: task.taskId, threadId, uses: ++tasksRun } satisfies StopMessage)
  try {
    const reply = await callWorker(task.url, task.data, ctx)
    if (reply.ok && typeof reply.data === 'object' && reply.data !== null) {
      // piscina cannot report a failed clone (the thread dies with an empty error), so check here.
      try {
        structuredClone(reply.data)
      } catch (error) {
        return { ...uncloneableReply(task.url, error), threadId }
      }
    }
    return { ...reply, threadId }
  } finally {
    running.delete(task.taskId)
  }
}
