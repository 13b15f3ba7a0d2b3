// --halt, with GNU parallel's meaning: when to stop starting jobs ('soon') or also kill the
// running ones ('now'), and the exit status the run then ends with.

import { UsageError } from './usage.js'

export interface HaltPolicy {
  when: 'now' | 'soon'
  on: 'fail' | 'success' | 'done'
  /** Halt after this many jobs… */
  count?: number
  /** …or after this percentage of all jobs. */
  percent?: number
}

const SHORTHANDS: Record<string, string> = { 0: 'never', 1: 'soon,fail=1', 2: 'now,fail=1', '-1': 'soon,success=1', '-2': 'now,success=1' }

/** Parses a --halt value; null for 'never'. */
export function parseHalt(text: string): HaltPolicy | null {
  let spec = SHORTHANDS[text] ?? text
  if (/^\d+%$/.test(spec)) spec = `soon,fail=${spec}`
  if (spec === 'never') return null
  const match = /^(now|soon),(fail|success|done)=(\d+)(%?)$/.exec(spec)
  if (match === null) {
    throw new UsageError(`--halt must be never, or now|soon,fail|success|done=N or =P% (as in now,fail=1), got ${JSON.stringify(text)}`)
  }
  const n = Number(match[3])
  if (n === 0 || (match[4] === '%' && n > 100)) {
    throw new UsageError(`--halt needs a count above 0 or a percentage from 1% to 100%, got ${JSON.stringify(text)}`)
  }
  const policy: HaltPolicy = { when: match[1] as HaltPolicy['when'], on: match[2] as HaltPolicy['on'] }
  if (match[4] === '%') policy.percent = n
  else policy.count = n
  return policy
}

/** Counts finished jobs against a policy. */
export class HaltTracker {
  readonly #policy: HaltPolicy
  readonly #totalJobs: () => number
  #failed = 0
  #completed = 0
  /** Set once the policy has triggered: the status the run exits with. */
  exitStatus: number | undefined

  /** `totalJobs` is asked only for a percentage policy, once every job is known. */
  constructor(policy: HaltPolicy, totalJobs: () => number) {
    this.#policy = policy
    this.#totalJobs = totalJobs
  }

  /** Records a finished job; returns when to halt if the policy triggers now. */
  record(failed: boolean, jobStatus: number): 'now' | 'soon' | undefined {
    this.#completed++
    if (failed) this.#failed++
    const p = this.#policy
    let reached = this.#completed
    if (p.on === 'fail') reached = failed ? this.#failed : -1
    else if (p.on === 'success') reached = failed ? -1 : this.#completed - this.#failed
    const total = p.percent === undefined ? 0 : this.#totalJobs()
    const needed = p.count ?? (total * p.percent!) / 100
    if (reached < needed) return undefined
    if (this.exitStatus === undefined) {
      if (p.on === 'success') this.exitStatus = 0
      else if (p.percent !== undefined) this.exitStatus = Math.ceil((this.#failed / total) * 100)
      else if (p.count === 1) this.exitStatus = jobStatus
      else this.exitStatus = Math.min(this.#failed, 101)
    }
    return p.when
  }
}
