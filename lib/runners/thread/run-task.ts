// How a pool thread runs one task. A plain function the main thread can call, so that it is tested
// there (test/runners/thread/run-task.test.ts): a pool thread writes its coverage only when it
// ends on its own, and tests terminate threads, so a function that ran only in threads showed as
// run in one full test run and not in the next. runtime.ts, which runs only in threads, wires this
// up and keeps no function of its own.

import { callWorker, CallContext, uncloneableReply, type WorkerReply } from '../../worker/call.js'
import { abortIfStoppedEarly } from './stops.js'
import { recordPlacement } from './placements.js'
import type { ThreadReply, ThreadTask } from './protocol.js'

/** What a thread shares with its parent and its own running tasks, by taskId. */
export interface ThreadSide {
  readonly running: Map<number, CallContext>
  readonly stopFlags: Int32Array
  readonly placements: Int32Array
  readonly threadId: number
}

/** The function piscina calls in a thread for each task. */
export function taskRunner(side: ThreadSide): (task: ThreadTask) => Promise<ThreadReply> {
  const { running, stopFlags, placements, threadId } = side
  let tasksRun = 0
  return async function runTask(task: ThreadTask): Promise<ThreadReply> {
    const ctx = new CallContext(task.ident, task.attempt, task.jobId ?? null)
    abortIfStoppedEarly(stopFlags, task.taskId, ctx)
    running.set(task.taskId, ctx)
    recordPlacement(placements, task.taskId, threadId, ++tasksRun)
    try {
      return { ...cloneCheckedReply(task.url, await callWorker(task.url, task.data, ctx)), threadId }
    } finally {
      running.delete(task.taskId)
    }
  }
}

/**
 * `reply` as the parent can take it: one whose data cannot be cloned becomes the uncloneable
 * reply. piscina cannot report a failed clone of a reply: it rethrows it in the thread, which dies
 * with an empty error. (A child process's runtime learns of a failed clone from its send instead.)
 */
export function cloneCheckedReply(url: string, reply: WorkerReply): WorkerReply {
  if (reply.ok && typeof reply.data === 'object' && reply.data !== null) {
    try {
      structuredClone(reply.data)
    } catch (error) {
      return uncloneableReply(url, error)
    }
  }
  return reply
}
