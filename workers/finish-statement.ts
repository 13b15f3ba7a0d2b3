// Parallel::ForkManager's habit, `$pm->finish($code, \%data);`: finish() called as a statement,
// with no return, for the tests of every isolation. data.waitMs: an await first, so that jobs
// running side by side in one process or thread call finish() in interleaved turns.
import { setTimeout as sleep } from 'node:timers/promises'
import { finish, isFinish, type WorkerContext } from '../lib/index.js'

export interface FinishOrder {
  code: number
  value?: unknown
  waitMs?: number
  /** 'rethrow': a catch-all around finish() that lets the mark through; 'swallow': one that does not. */
  caught?: 'rethrow' | 'swallow'
}

export default async function finishStatement(order: FinishOrder, ctx: WorkerContext): Promise<string> {
  if (order.waitMs !== undefined) await sleep(order.waitMs)
  const data = { value: order.value, ident: ctx.ident }
  if (order.caught === undefined) {
    finish(order.code, data)
  } else {
    try {
      finish(order.code, data)
    } catch (error) {
      if (order.caught === 'rethrow' && isFinish(error)) throw error
    }
  }
  return 'the line after finish() ran'
}
