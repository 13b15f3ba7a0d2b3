// Where jobs run when they do not run on this machine: a backend takes a checked job and gives
// back an Execution as the local runners do, so the manager supervises both the same way.
// lib/remote/ implements it (Redis); the manager knows only this contract.

import type { Execution, StopLimits } from './execution.js'
import type { NormalizedJob } from './spec.js'

export interface Backend {
  /**
   * Sends the job off, returning its Execution at once, with `elsewhere` set: its `sent` settles
   * once the other side has it (a queue: start() resolves then), its `started` when a machine there
   * starts it (null: it ended without starting), its outcome once it has ended wherever it ran. A
   * send that fails is its outcome. `attempt`: the manager's try number (its retries), which the
   * worker function sees as ctx.attempt; `limits`: the job's timeout and kill grace, which the backend
   * enforces where the job runs.
   */
  launch(spec: NormalizedJob, ident: string, attempt: number, limits: StopLimits): Execution
  /**
   * Refuses at start() a job the backend could never send: throws a TypeError for a worker job's
   * data that v8.serialize cannot copy (spec.ts uncloneable()), a DataTooLargeError (lib/errors.ts)
   * for data over its size limit (map() then sends the chunk's items in smaller chunks). The
   * manager calls it for every job before its launch(), in place of its own structured-clone check.
   */
  check?(spec: NormalizedJob, ident: string): void
  /**
   * How long map()'s auto-sized chunks aim to run, in milliseconds, when a job's trip costs more
   * than a local one (a queue hop); absent: map()'s local target.
   */
  readonly chunkTargetMs?: number
  /**
   * The most items map() puts in one auto-sized chunk (a whole number from 1); absent: map()'s
   * local cap. A hop with a large fixed cost per chunk needs more items to reach its target.
   */
  readonly chunkMaxItems?: number
  /** Releases the connections; the manager calls it once no job is running. */
  close(): Promise<void>
}

/** True for an object with the Backend's methods: the check of the ForkManager option. */
export function isBackend(value: unknown): value is Backend {
  if (typeof value !== 'object' || value === null) return false
  const b = value as Record<string, unknown>
  const { chunkTargetMs: target, chunkMaxItems: most } = b
  return typeof b.launch === 'function' && typeof b.close === 'function' &&
    (target === undefined || (typeof target === 'number' && target > 0 && Number.isFinite(target))) &&
    (most === undefined || (Number.isInteger(most) && (most as number) >= 1))
}
