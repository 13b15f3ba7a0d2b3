// The in-flight registry: every job from its start() call until its result is known.

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NormalizedJob } from '../runners/spec.js'
import type { Execution } from '../runners/execution.js'
import type { AbortLike } from '../util/cancel-token.js'
import { cwdMemo } from '../util/cwd-memo.js'
import { thisHost } from '../util/host.js'
import { shellQuote } from '../util/shell-quote.js'
import { IndexedList } from '../util/indexed-list.js'
import { AmbiguousJobError } from '../errors.js'
import type { JobKind } from '../types.js'

/**
 * `'queued'`: waiting for a slot (or an older job of its name); `'running'`; `'stopping'`: asked to stop by a timeout or cancel, not yet
 * gone.
 */
export type JobState = 'queued' | 'running' | 'stopping'

/** One job queued or running, as `pm.inFlight()` reports it. */
export interface InFlightRecord {
  /** The ident given to `start`. */
  ident: string
  /** The job's name (start option `name`), or null. */
  name: string | null
  /** The job's free-form label (start option `label`), or null. */
  label: string | null
  /** The child's pid once running; null while queued and for thread jobs. */
  pid: number | null
  /** The worker thread's id, for thread jobs once running; else null. */
  threadId: number | null
  /** How the job runs (or will run): 'process', 'process-pool', 'thread', 'command' or 'inline'. */
  isolation: JobKind
  /** Where the job stands now. */
  state: JobState
  /** The command line or the worker file. */
  where: string
  /** Epoch ms of the start() call. */
  queuedAt: number
  /** Epoch ms at which it got its slot and started; null while queued. */
  startedAt: number | null
  /** Milliseconds since startedAt, or, while queued, since queuedAt. */
  elapsedMs: number
  /** Epoch ms at which its timeout fires; null while queued or without a timeout. */
  timeoutAt: number | null
  /** How many jobs the worker running it has run, this one included (1 for a fresh process or a command). */
  uses: number
  /**
   * The machine running it: this one's `os.hostname()` for a local job; for a remote job, the
   * agent's name once an agent has started it. Null until then: while queued here, and while a
   * remote job waits in the queue for an agent.
   */
  host: string | null
}

/**
 * A job in flight as the control plane sees it (lib/manager/job.ts is the one implementation):
 * what inFlight(), ps, cancel-by-name and the overlap policies need of it.
 */
export interface TrackedJob {
  readonly ident: string
  readonly name: string | null
  readonly label: string | null
  /** How it runs, or will run. */
  readonly kind: JobKind
  /** Epoch ms of the start() call. */
  readonly queuedAt: number
  /** Set once a runner has it. */
  readonly execution: Execution | undefined
  /** Epoch ms at which it got its slot; undefined while queued. */
  readonly startedAt: number | undefined
  /** True once a timeout or a cancel has asked it to stop. */
  readonly stopping: boolean
  /** Runs so far, this one included: 1 on its first run, more on a retry. */
  readonly attempts: number
  readonly timeoutMs: number
  /** The command line or the worker file. */
  readonly where: string
  /** Aborted when the job is cancelled: a job waiting for older jobs of its name gives up. */
  readonly token: AbortLike
  /** Resolves once its result is known. */
  readonly ended: Promise<void>
  /** Removed if still queued, stopped if running; the first reason wins. */
  cancel(reason: unknown): void
  /** Its result is known: nothing can stop it any more. */
  end(): void
  /** Where the registry keeps it (see util/indexed-list.ts); -1 while it is not there. */
  registryIndex: number
}

export class Registry {
  // Not a Set: see util/indexed-list.ts.
  readonly #jobs = new IndexedList<'registryIndex', TrackedJob>('registryIndex')

  add(job: TrackedJob): void {
    this.#jobs.add(job)
  }

  remove(job: TrackedJob): void {
    this.#jobs.delete(job)
    job.end()
  }

  /** Whether the job is still in flight. */
  has(job: TrackedJob): boolean {
    return this.#jobs.has(job)
  }

  /** The jobs in flight, in the order they were started. */
  get jobs(): TrackedJob[] {
    return this.#jobs.values()
  }

  named(name: string): TrackedJob[] {
    return this.jobs.filter((job) => job.name === name)
  }

  /** The jobs a cancel target means: every job of that name, else the one job with that ident. */
  find(target: string): TrackedJob[] {
    const named = this.named(target)
    if (named.length > 0) return named
    const byIdent = this.jobs.filter((job) => job.ident === target)
    if (byIdent.length > 1) {
      throw new AmbiguousJobError(`${byIdent.length} jobs in flight have the ident ${JSON.stringify(target)}: cancel them by name or by ` +
        `handle`)
    }
    return byIdent
  }

  records(): InFlightRecord[] {
    const now = Date.now()
    return this.jobs.map((job) => inFlightRecord(job, now))
  }
}

function inFlightRecord(job: TrackedJob, now: number): InFlightRecord {
  const { execution, startedAt = null } = job
  return {
    ident: job.ident,
    name: job.name,
    label: job.label,
    pid: execution?.pid ?? null,
    threadId: execution?.threadId ?? null,
    isolation: execution?.kind ?? job.kind,
    // A remote job is queued until an agent has started it.
    state: execution === undefined || startedAt === null ? 'queued' : job.stopping ? 'stopping' : 'running',
    where: job.where,
    queuedAt: job.queuedAt,
    startedAt,
    elapsedMs: Math.max(0, now - (startedAt ?? job.queuedAt)),
    timeoutAt: startedAt !== null && Number.isFinite(job.timeoutMs) ? startedAt + job.timeoutMs : null,
    uses: execution?.uses ?? 1,
    host: execution === undefined ? null : execution.elsewhere === undefined ? thisHost : execution.elsewhere.host,
  }
}

/** The command line, or the worker file (relative to the current directory when inside it). */
export function whereOf(spec: NormalizedJob): string {
  if (spec.type === 'command') return [spec.command, ...spec.args].map(shellQuote).join(' ')
  return fileWhere(spec.url)
}

const fileWhere = cwdMemo((url, cwd) => {
  const file = fileURLToPath(url)
  const relative = path.relative(cwd, file)
  return relative.startsWith('..') ? file : relative
})
