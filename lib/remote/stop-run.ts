// Stopping a remote job (a cancel, its deadline, a shutdown). One still waiting in the queue is
// taken off it: it never ran. One an agent has gets the stop order on the queue's stop channel.
// An order nobody hears (its agent was killed, or cut off from Redis past its lock, and no agent
// is left to take the job again) would leave the job in Redis and its start() unsettled for ever
// (found by the remote soak: shutdown() hung): until the job ends, the producer takes it off the
// queue as soon as no agent holds its lock, and it ends stopped, with the runs it had.

import type { WireResult } from './wire.js'
import type { Queue, Redis } from './peers.js'
import type { RemoteRun } from './remote-run.js'

/** The result of a job stopped before an agent took it: taken off the queue, or never sent. */
export const NEVER_RAN: WireResult = { exitCode: null, signal: null, error: null, pid: null, runs: 0 }

/** What stopRun() needs of the backend. */
export interface StopContext {
  readonly queue: Queue
  /** A connection for the one read that says whether an agent holds the job (the backend's publisher). */
  readonly redis: Redis
  /** How often a stopped job that has not ended is looked at again (the backend's reconcileInterval). */
  readonly everyMs: number
  /** Sends the stop order to the agents. */
  publish(run: RemoteRun, signal: NodeJS.Signals): Promise<unknown>
  /** Settles the run (once: the backend ignores a job it no longer has). */
  finish(jobId: string, result: WireResult): void
}

/** Stops `run`: off the queue while it waits; else the order, and off the queue once no agent holds it (see above). */
export async function stopRun(context: StopContext, run: RemoteRun, signal: NodeJS.Signals): Promise<void> {
  if (!run.queued) return
  if (!run.hasStarted) {
    // 0 when an agent holds it (locked), or it has ended.
    const removed = await context.queue.remove(run.jobId).catch(() => 0)
    if (removed === 1) return context.finish(run.jobId, NEVER_RAN)
  }
  await context.publish(run, signal)
  // A further stop (the SIGKILL after the grace) finds it watched already.
  if (run.orphanWatch) return
  run.orphanWatch = true
  const watch = { ended: false }
  const end = run.outcome.then(() => void (watch.ended = true))
  while (!watch.ended) {
    // Bounded by the run's end too: a read waiting on a connection that close() cut may never settle.
    const runs = await Promise.race([takeOff(context, run.jobId).catch(() => undefined), end])
    if (runs !== undefined) return context.finish(run.jobId, stopped(run, runs))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([end, new Promise((resolve) => (timer = setTimeout(resolve, context.everyMs)))])
    clearTimeout(timer)
  }
}

/**
 * Takes the job off the queue if nothing holds it: resolves with its runs (BullMQ's attemptsStarted),
 * or undefined while an agent holds its lock (its result, or its lock's lapse, comes), once it has
 * ended (its result comes by event or poll), or when it is gone (the poll settles that).
 */
async function takeOff(context: StopContext, jobId: string): Promise<number | undefined> {
  // One snapshot: an agent holds the lock until the script that ends the job deletes it, as it sets finishedOn.
  const key = context.queue.toKey(jobId)
  const replies = await context.redis.multi().exists(`${key}:lock`, key).hmget(key, 'finishedOn', 'ats').exec()
  const [[, held], [, fields]] = replies as [[null, number], [null, (string | null)[]]]
  const [finishedOn, attemptsStarted] = fields
  // held: 1 for the job alone (unlocked); 2 with its lock, 0 for a job that is gone (the poll says it vanished).
  if (held !== 1 || finishedOn !== null) return undefined
  // remove() checks the lock again, atomically: 0 if an agent has taken the job since.
  return (await context.queue.remove(jobId)) === 1 ? Number(attemptsStarted) : undefined
}

/**
 * A started job taken off the queue: it ran `runs` times, the last on its last known host, and
 * that run ended with its agent; nothing of it answered the stop (signal and exitCode null), as
 * for a job whose re-run an agent ended before it began (lib/remote/agent.ts). The manager's cause
 * (cancelled, timed out) is its cause.
 */
function stopped(run: RemoteRun, runs: number): WireResult {
  const result: WireResult = { exitCode: null, signal: null, error: null, runs }
  if (run.elsewhere.host !== null) result.host = run.elsewhere.host
  return result
}
