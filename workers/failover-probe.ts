// remote-failover's job: each run writes `${dir}/attempt-N` (its ctx.attempt) holding the time it
// started and its parent's pid (the agent that runs it); the first run then waits to be lost with
// its agent, a later one returns at once.
import { writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { WorkerContext } from '../lib/index.js'

export default async function failoverProbe(dir: string, ctx: WorkerContext): Promise<number> {
  writeFileSync(`${dir}/attempt-${ctx.attempt}`, JSON.stringify({ at: Date.now(), agent: process.ppid }))
  if (ctx.attempt === 1) await sleep(600_000, undefined, { signal: ctx.signal })
  return ctx.attempt
}
