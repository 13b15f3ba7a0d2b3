// One job on an agent: started with forkpool's own runners, its timeout counted from its start
// here, and every stop escalated to SIGKILL after the job's kill grace, as the manager does
// locally. Commands go through a spawner process, which kills their process groups if the agent
// dies (even by SIGKILL): a lost agent leaves no command of its jobs behind (see
// lib/runners/spawner/runtime.cts). Worker processes exit when their parent's IPC channel closes.

import type { Execution, Outcome } from '../runners/execution.js'
import type { NormalizedJob } from '../runners/spec.js'
import { setLongTimeout } from '../util/long-timeout.js'
import type { AgentRunners } from './agent-runners.js'

export class AgentRun {
  readonly #execution: Execution
  readonly #killGraceMs: number
  #timedOut = false
  #cancelTimeout: () => void = () => {}
  #cancelKill: (() => void) | undefined

  private constructor(execution: Execution, timeoutMs: number | null, killGraceMs: number) {
    this.#execution = execution
    this.#killGraceMs = killGraceMs
    if (timeoutMs !== null) {
      this.#cancelTimeout = setLongTimeout(() => {
        this.#timedOut = true
        this.stop('SIGTERM')
      }, timeoutMs)
    }
  }

  /** Starts the job; `attempt` and `jobId` are the worker's ctx.attempt and ctx.jobId. */
  static async start(spec: NormalizedJob, ident: string, attempt: number, jobId: string, limits: {
    timeoutMs: number | null; killGraceMs: number,
  }, runners: AgentRunners): Promise<AgentRun> {
    const execution = await runners.start(spec, ident, attempt, jobId)
    return new AgentRun(execution, limits.timeoutMs, limits.killGraceMs)
  }

  get pid(): number | null {
    return this.#execution.pid
  }

  /** TERM (or the given signal) now, KILL after the kill grace; SIGKILL at once. */
  stop(signal: NodeJS.Signals): void {
    this.#cancelTimeout()
    if (signal !== 'SIGKILL') this.#cancelKill ??= setLongTimeout(() => this.#execution.stop('SIGKILL'), this.#killGraceMs)
    this.#execution.stop(signal)
  }

  /** Its outcome, with timedOut when its timeout stopped it. */
  async ended(): Promise<Outcome> {
    const outcome = await this.#execution.outcome
    this.#cancelTimeout()
    this.#cancelKill?.()
    return this.#timedOut ? { ...outcome, timedOut: true } : outcome
  }
}
