// Named jobs: what a second start of a name does while an older job of that name is in flight.

import type { AbortLike } from '../util/cancel-token.js'
import type { TrackedJob } from './registry.js'
import type { OverlapPolicy } from '../types.js'
import { OverlapError } from '../errors.js'

export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['cancel-old', 'reject-new', 'queue', 'allow']

/** Applies `policy` to the older jobs of `name`; returns what the new job must wait for before it takes a slot. */
export function applyOverlap(name: string, policy: OverlapPolicy, older: TrackedJob[]): Array<Promise<void>> {
  if (older.length === 0 || policy === 'allow') return []
  if (policy === 'reject-new') throw new OverlapError(name, older[0]!.ident)
  if (policy === 'cancel-old') for (const job of older) job.cancel('overlap')
  return older.map((job) => job.ended)
}

/** The process warning a manager emits the first time a 'cancel-old' start cancels older jobs of its name. */
export const OVERLAP_WARNING = { type: 'ForkpoolOverlapWarning', code: 'FORKPOOL_OVERLAP_CANCEL' } as const

/**
 * Says, once per manager (the caller keeps count), that a start of `name` cancels `older`: the
 * default policy replaces older jobs of a name, which surprises whoever gave parallel jobs one
 * name as a group label, and their results say only `cancelReason: 'overlap'`.
 */
export function warnOverlapCancel(name: string, older: readonly TrackedJob[]): void {
  const idents = older.map((job) => JSON.stringify(job.ident)).join(', ')
  const jobs = older.length === 1 ? 'the job' : `the ${older.length} jobs`
  process.emitWarning(
    `a start of the name ${JSON.stringify(name)} cancels ${jobs} of that name in flight (${idents}): ` +
      "onOverlap 'cancel-old', the default, lets one job of a name run at a time. To run jobs of one name side by side, " +
        "give the start onOverlap: 'allow' (or 'queue' to run them one after another). This warning is shown once per manager.",
    OVERLAP_WARNING
  )
}

/**
 * Resolves when every promise has; rejects with the signal's reason if it aborts first. The
 * caller has checked that it has not aborted yet.
 */
export function waitUnlessAborted(promises: ReadonlyArray<Promise<void>>, signal: AbortLike): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    void Promise.all(promises).then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}
