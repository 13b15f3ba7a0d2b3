// The in-flight registry: one entry per job from its start() call until its result is known.

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SupervisedJob } from '../manager/job.js'
import type { NormalizedJob } from '../runners/spec.js'
import { CancelToken } from '../util/cancel-token.js'
import { cwdMemo } from '../util/cwd-memo.js'
import { AmbiguousJobError } from '../errors.js'
import type { JobKind } from '../types.js'

const noop = (): void => {}

export type JobState = 'queued' | 'running' | 'stopping'

/** One job queued or running, as `pm.inFlight()` reports it. */
export interface InFlightRecord {
  ident: string
  /** The job's name (start option `name`), or null. */
  name: string | null
  /** The job's free-form label (start option `label`), or null. */
  label: string | null
  /** The child's pid once running; null while queued and for thread jobs. */
  pid: number | null
  /** The worker thread's id, for thread jobs once the thread has reported it (a moment after start); else null. */
  threadId: number | null
  /** How the job runs (or will run): 'process', 'thread', 'command' or 'inline'. */
  isolation: JobKind
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
}

export class InFlightEntry {
  readonly ident: string
  readonly name: string | null
  readonly label: string | null
  readonly #spec: NormalizedJob
  #where: string | undefined
  readonly isolation: JobKind
  readonly queuedAt = Date.now()
  /** Aborted by every way of cancelling the job; the manager waits on it and stops the job with its reason. */
  readonly token = new CancelToken()
  readonly #timeoutMs: number
  #unlink = noop
  /** Made when an overlapping start first asks for it (see `ended`). */
  #ended: Promise<void> | undefined
  #end = noop
  #done = false
  #job: SupervisedJob | undefined

  constructor(ident: string, spec: NormalizedJob, isolation: JobKind, labels: { name?: string; label?: string }, timeoutMs: number, userSignal: AbortSignal | undefined) {
    this.ident = ident
    this.name = labels.name ?? null
    this.label = labels.label ?? null
    this.#spec = spec
    this.isolation = isolation
    this.#timeoutMs = timeoutMs
    if (userSignal !== undefined) {
      const follow = (): void => this.cancel(userSignal.reason)
      if (userSignal.aborted) follow()
      else {
        userSignal.addEventListener('abort', follow, { once: true })
        this.#unlink = () => userSignal.removeEventListener('abort', follow)
      }
    }
  }

  /** The command line or the worker file, worked out when first asked for (most jobs never are). */
  get where(): string {
    return (this.#where ??= whereOf(this.#spec))
  }

  /** Resolves once the job's result is known. */
  get ended(): Promise<void> {
    this.#ended ??= this.#done ? Promise.resolve() : new Promise((resolve) => (this.#end = resolve))
    return this.#ended
  }

  /** Cancels the job with `reason`: removed if still queued, stopped (TERM, then KILL) if running. The first reason wins. */
  cancel(reason: unknown): void {
    this.token.abort(reason)
    // Once ended, its job is no longer this entry's to stop.
    if (!this.#done) this.#job?.stop({ cancelled: true, reason: this.token.reason })
  }

  /** The job got its slot and runs; a cancel that came while it was being launched stops it now. */
  running(job: SupervisedJob): void {
    this.#job = job
    if (this.token.aborted) job.stop({ cancelled: true, reason: this.token.reason })
  }

  end(): void {
    this.#done = true
    this.#unlink()
    this.#end()
  }

  record(now: number): InFlightRecord {
    const job = this.#job
    const execution = job?.execution
    const startedAt = job?.startedAt ?? null
    return {
      ident: this.ident,
      name: this.name,
      label: this.label,
      pid: execution?.pid ?? null,
      threadId: execution?.threadId ?? null,
      isolation: execution?.kind ?? this.isolation,
      state: job === undefined ? 'queued' : job.stopping ? 'stopping' : 'running',
      where: this.where,
      queuedAt: this.queuedAt,
      startedAt,
      elapsedMs: Math.max(0, now - (startedAt ?? this.queuedAt)),
      timeoutAt: startedAt !== null && Number.isFinite(this.#timeoutMs) ? startedAt + this.#timeoutMs : null,
      uses: execution?.uses ?? 1,
    }
  }
}

export class Registry {
  readonly #entries = new Set<InFlightEntry>()

  add(entry: InFlightEntry): void {
    this.#entries.add(entry)
  }

  remove(entry: InFlightEntry): void {
    this.#entries.delete(entry)
    entry.end()
  }

  /** Whether the job is still in flight. */
  has(entry: InFlightEntry): boolean {
    return this.#entries.has(entry)
  }

  get entries(): InFlightEntry[] {
    return [...this.#entries]
  }

  named(name: string): InFlightEntry[] {
    return this.entries.filter((entry) => entry.name === name)
  }

  /** The jobs a cancel target means: every job of that name, else the one job with that ident. */
  find(target: string): InFlightEntry[] {
    const named = this.named(target)
    if (named.length > 0) return named
    const byIdent = this.entries.filter((entry) => entry.ident === target)
    if (byIdent.length > 1) {
      throw new AmbiguousJobError(`${byIdent.length} jobs in flight have the ident ${JSON.stringify(target)}: cancel them by name or by handle`)
    }
    return byIdent
  }

  records(): InFlightRecord[] {
    const now = Date.now()
    return this.entries.map((entry) => entry.record(now))
  }
}

/** The command line, or the worker file (relative to the current directory when inside it). */
export function whereOf(spec: NormalizedJob): string {
  if (spec.type === 'command') return [spec.command, ...spec.args].map(quote).join(' ')
  return workerWhere(spec.url)
}

const workerWhere = cwdMemo((url, cwd) => {
  const file = fileURLToPath(url)
  const relative = path.relative(cwd, file)
  return relative.startsWith('..') ? file : relative
})

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}
