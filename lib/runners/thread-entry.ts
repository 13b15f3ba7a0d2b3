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
const channel = new BroadcastChannel((workerData as { stopChannel: string }).stopChannel)
channel.unref()
channel.onmessage = (event) => {
  const message = (event as { data: StopMessage }).data
  if (!('stop' in message)) return
  const ctx = running.get(message.stop)
  if (ctx === undefined) return
  if (ctx.listening) ctx.abort(new Error(`job ${JSON.stringify(ctx.ident)} was asked to stop`))
  else channel.postMessage({ deaf: message.stop } satisfies StopMessage)
}

export default async function runTask(task: ThreadTask): Promise<ThreadReply> {
  const ctx = new CallContext(task.ident)
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
