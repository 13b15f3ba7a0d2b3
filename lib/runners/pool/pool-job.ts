// A job given to a pool worker: the Execution the manager supervises, and what the pool knows of it.

import type { Isolation, JobKind } from '../../types.js'
import type { Execution, Outcome } from '../execution.js'
import { Once } from '../../util/once.js'

export class PoolJob extends Once<Outcome> implements Execution {
  readonly kind: JobKind
  /** Its id for the worker: its index in the worker's JobTable, set as it is given to the worker. */
  id = -1
  readonly ident: string
  /** Its worker file. */
  readonly url: string
  readonly pid: number | null
  readonly threadId: number | null
  /** How many jobs its worker has been given, this one included. */
  readonly uses: number
  /** The batch of orders it went out in (worker.ts #batches). */
  readonly batch: number
  stopping = false
  /** Set once the worker said the job has read its ctx.signal. */
  listening = false
  /** The signal of its stop order, when it got one: a process that dies by it died of that stop. */
  stopSignal: NodeJS.Signals | undefined = undefined
  readonly #stop: (job: PoolJob, signal: NodeJS.Signals) => void

  constructor(
    kind: Extract<Isolation, 'process-pool' | 'thread'>, ident: string, url: string, pid: number | null, threadId: number | null,
    uses: number, batch: number, stop: (job: PoolJob, signal: NodeJS.Signals) => void
  ) {
    super()
    this.kind = kind
    this.ident = ident
    this.url = url
    this.pid = pid
    this.threadId = threadId
    this.uses = uses
    this.batch = batch
    this.#stop = stop
  }

  get outcome(): Promise<Outcome> {
    return this.promise
  }

  stop(signal: NodeJS.Signals): void {
    this.#stop(this, signal)
  }
}
