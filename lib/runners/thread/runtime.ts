// The file piscina runs in each pool thread: it calls worker files the same way a child process does.

import { threadId, workerData } from 'node:worker_threads'
import { callWorker, CallContext, cloneCheckedReply } from '../../worker/call.js'
import { abortIfStoppedEarly, answerStop, type StopMessage } from './stops.js'
import { recordExitsOf } from './exits.js'
import { recordPlacement } from './placements.js'
import type { ThreadReply, ThreadTask } from './protocol.js'

const running = new Map<number, CallContext>()
let tasksRun = 0
const { stopChannel, stopFlags, exitCodes, placements } = workerData as { stopChannel: string; stopFlags: Int32Array; exitCodes: Int32Array; placements: Int32Array }
// A job's process.exit() ends the thread; the parent reads its code from exitCodes.
recordExitsOf(process, exitCodes, running)
const channel = new BroadcastChannel(stopChannel)
channel.unref()
// Bound, not wrapped: it runs only for a deaf job, whose thread is then terminated before it can
// write its coverage, so a wrapper would show as a function no test runs.
const post: (message: StopMessage) => void = channel.postMessage.bind(channel)
channel.onmessage = (event) => answerStop((event as { data: StopMessage }).data, running, post)

export default async function runTask(task: ThreadTask): Promise<ThreadReply> {
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
