// The producer's side of one remote job: the Execution the manager supervises, from the moment it
// is given to the backend. Its host and pid are the agent's once one has started it (they change
// if a re-run moves it); its outcome settles once, from the completed/failed event, from the
// reconciling poll, or from a send that failed, whichever comes first.

import type { Elsewhere, Execution, Outcome } from '../runners/execution.js'
import type { JobKind, SerializedError } from '../types.js'
import type { StartReport, WireResult } from './wire.js'

export class RemoteRun implements Execution {
  readonly kind: JobKind
  readonly jobId: string
  pid: number | null = null
  readonly started: Promise<number | null>
  readonly outcome: Promise<Outcome>
  /** Its host changes as agents start it. */
  readonly elsewhere: Elsewhere & { host: string | null }
  /** Epoch ms of the last news of it (sent, started): the poll asks about the jobs silent longest. */
  heardAt = Date.now()
  /** True once Redis has it (the add's reply came): before that the poll would find it missing. */
  queued = false
  /** Set by the first stop: a start reported after it gets the stop again (the waiting→active race). */
  stopSignal: NodeJS.Signals | undefined
  /** Set once a stop watches for it to be left by its agent (lib/remote/stop-run.ts): one watch, however many stops. */
  orphanWatch = false
  #resolveStarted!: (startedAt: number | null) => void
  #resolveOutcome!: (outcome: Outcome) => void
  #resolveSent!: () => void
  #startedAt: number | null = null
  readonly #stop: (run: RemoteRun, signal: NodeJS.Signals) => void

  constructor(kind: JobKind, jobId: string, timeoutSlackMs: number, stop: (run: RemoteRun, signal: NodeJS.Signals) => void) {
    this.kind = kind
    this.jobId = jobId
    this.#stop = stop
    this.started = new Promise((resolve) => (this.#resolveStarted = resolve))
    this.outcome = new Promise((resolve) => (this.#resolveOutcome = resolve))
    this.elsewhere = { sent: new Promise((resolve) => (this.#resolveSent = resolve)), host: null, timeoutSlackMs }
  }

  get hasStarted(): boolean {
    return this.#startedAt !== null
  }

  /** The manager stops a job only before its outcome is in (at most a publish that the agents ignore, in the turn between). */
  stop(signal: NodeJS.Signals): void {
    this.stopSignal ??= signal
    this.#stop(this, signal)
  }

  /** Redis has it: start() resolves. */
  added(): void {
    this.heardAt = Date.now()
    this.queued = true
    this.#resolveSent()
  }

  /** It could not be sent: it ends here without starting, with `error`, and start() resolves with that result. */
  unsent(error: SerializedError): void {
    this.#resolveStarted(null)
    this.#resolveSent()
    this.#resolveOutcome({ exitCode: null, signal: null, error })
  }

  /** An agent has started it (again, after a lost agent: the new host and pid). */
  began(report: StartReport): void {
    this.heardAt = Date.now()
    this.elsewhere.host = report.host
    this.pid = report.pid
    if (this.#startedAt !== null) return
    this.#startedAt = report.startedAt
    this.#resolveStarted(report.startedAt)
  }

  /** Its end: the agent's result, or why it has none. Called once: the backend drops the run from its map as it calls it. */
  settle(result: WireResult): void {
    // A start whose report was missed still comes before the end, so runOnStart fires first.
    if (this.#startedAt === null) {
      if (result.host !== undefined && result.startedAt !== undefined) {
        this.began({
          host: result.host, pid: result.pid ?? null, startedAt: result.startedAt,
        })
      } else this.#resolveStarted(null)
    }
    const { exitCode, signal, data, error, runs, timedOut, startedAt: _startedAt, ...details } = result
    // Ended (even before the add's reply, or without an add: stopped before it was sent): start() resolves.
    this.#resolveSent()
    this.#resolveOutcome({ exitCode, signal, data, error, runs, timedOut, details: { ...details, jobId: this.jobId } })
  }
}
