// One forkpool run: reads the jobs' arguments, runs the jobs under the cap, prints, logs, halts.

import { ForkManager } from '../manager/fork-manager.js'
import { unstartedResult } from '../manager/job-result.js'
import { serializeError } from '../errors.js'
import type { JobResult, SerializedError } from '../types.js'
import { HaltTracker } from './halt.js'
import { jobArguments } from './inputs.js'
import { planJob, type JobPlan } from './job-plan.js'
import { shellStatus } from './job-status.js'
import { Joblog, joblogLine } from './joblog.js'
import type { CliOptions } from './options.js'
import { OrderedPrinter, type JobOutput } from './output.js'
import { ProgressBar } from './progress.js'
import { writeResults } from './results-dir.js'
import { SlotPool } from './slots.js'

/** Between SIGTERM and SIGKILL when a job is stopped (timeout, --halt now, Ctrl-C). */
const KILL_GRACE = '2s'
const NOTHING: JobOutput = { stdout: '', stderr: '' }
const STOP: unique symbol = Symbol('stop')

/** Runs the jobs; resolves with the exit status. */
export async function run(o: CliOptions): Promise<number> {
  const noMoreStarts = new AbortController()
  const killRunning = new AbortController()
  let interrupted = false
  const onSigint = (): void => {
    interrupted = true
    noMoreStarts.abort()
    killRunning.abort(new Error('interrupted (SIGINT)'))
  }
  // Whoever reads our output has gone (`forkpool … | head -1`): stop as for Ctrl-C, leaving no child.
  const control: Control = { noMoreStarts, killRunning, outputClosed: false }
  const onOutputError = (): void => {
    control.outputClosed = true
    noMoreStarts.abort()
    killRunning.abort(new Error('stdout closed'))
  }
  process.on('SIGINT', onSigint)
  process.stdout.on('error', onOutputError)
  try {
    const status = await runJobs(o, control)
    if (!control.outputClosed) return status
    process.stderr.write('forkpool: stdout was closed: stopped the jobs\n')
    return 255
  } finally {
    process.off('SIGINT', onSigint)
    if (o.groups === undefined) process.stdin.destroy()
    // An interrupted run says so with 130, whatever its jobs did.
    if (interrupted) process.exitCode = 130
  }
}

interface Control {
  noMoreStarts: AbortController
  killRunning: AbortController
  /** stdout failed (EPIPE): nothing more is written to it. */
  outputClosed: boolean
}

/** Waits for `promise`, or for `signal` to abort, whichever comes first; leaves no listener behind. */
function unlessStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof STOP> {
  if (signal.aborted) return Promise.resolve(STOP)
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(STOP)
    signal.addEventListener('abort', onAbort, { once: true })
    const settle = (value: T | typeof STOP): void => {
      signal.removeEventListener('abort', onAbort)
      resolve(value)
    }
    // A source that fails after the stop (stdin torn down) has nothing left to say.
    promise.then(settle, () => settle(STOP))
  })
}

async function runJobs(o: CliOptions, control: Control): Promise<number> {
  const joblog = o.joblog === undefined || o.dryRun ? undefined : new Joblog(o.joblog, o.resume)
  let source = inputs(o)
  const showBar = !o.dryRun && (o.bar === 'always' || (o.bar === 'tty' && process.stderr.isTTY))
  const bar = showBar ? new ProgressBar(process.stderr) : undefined
  // Drawn at once ("0/?"), so a run still reading its arguments shows it is there.
  bar?.update({}, true)
  let total: number | undefined
  if (o.bar !== 'off' || o.halt?.percent !== undefined) {
    // GNU parallel too reads every argument first for an ETA or a percentage.
    const all = await readAll(source, control.noMoreStarts.signal)
    total = all.filter((_, i) => !joblog?.done.has(i + 1)).length
    source = fromArray(all)
  }
  if (o.dryRun) return dryRun(o, source)

  bar?.update({ total }, true)
  const printer = new OrderedPrinter(o.keepOrder, (output) => {
    bar?.clear()
    if (output.stdout !== '' && !control.outputClosed) process.stdout.write(output.stdout)
    if (output.stderr !== '') process.stderr.write(output.stderr)
  })
  const halt = o.halt && new HaltTracker(o.halt, () => total!)
  const pm = new ForkManager({ maxProcs: o.jobs, timeout: o.timeoutMs ?? Infinity, killGrace: KILL_GRACE })
  if (o.statusPort !== undefined) {
    // On loopback, for the length of the run: pm.close() closes it.
    const status = await pm.serveStatus({ port: o.statusPort })
    process.stderr.write(`forkpool: status at ${status.url}\n`)
  }
  const slots = new SlotPool(o.jobs)
  let done = 0
  let failed = 0
  let fatal: { error: unknown } | undefined

  const finished = (seq: number, plan: JobPlan, result: JobResult): void => {
    // Jobs stopped by --halt now or Ctrl-C are neither counted nor logged: --resume runs them again.
    if (result.cancelled) return printer.deliver(seq, NOTHING)
    const isFailure = !result.ok
    done++
    if (isFailure) failed++
    const output = jobOutput(o, seq, plan, result)
    joblog?.write(joblogLine(seq, result, plan.display, Buffer.byteLength(output.stdout)))
    if (o.results !== undefined) writeResults(o.results, seq, { ...output, exitcode: shellStatus(result), cmd: plan.display })
    printer.deliver(seq, output)
    bar?.update({ done, failed })
    const when = halt?.record(isFailure, shellStatus(result))
    if (when !== undefined && !control.noMoreStarts.signal.aborted) {
      process.stderr.write(`forkpool: --halt reached at job ${seq}: starting no more jobs${when === 'now' ? ', stopping the running ones' : ', waiting for the running ones'}\n`)
      control.noMoreStarts.abort()
      if (when === 'now') control.killRunning.abort(new Error('--halt now'))
    }
  }

  const attempt = async (seq: number, plan: JobPlan): Promise<JobResult> => {
    if ('error' in plan) return notRun(seq, plan.error)
    try {
      return await (await pm.start(String(seq), plan.spec, { signal: control.killRunning.signal })).result
    } catch (error) {
      return notRun(seq, serializeError(error))
    }
  }

  const runJob = async (seq: number, args: string[], slot: number): Promise<void> => {
    const plan = planJob(o, { args, seq, slot })
    let result = await attempt(seq, plan)
    for (let retry = 1; retry <= o.retries && !result.ok && !result.cancelled && !control.killRunning.signal.aborted; retry++) {
      result = await attempt(seq, plan)
    }
    try {
      finished(seq, plan, result)
    } catch (error) {
      // Recording the job failed (--results cannot write): stop everything, then report it.
      fatal ??= { error }
      control.noMoreStarts.abort()
      control.killRunning.abort(error)
    }
  }

  const running = new Set<Promise<void>>()
  const iterator = source[Symbol.asyncIterator]()
  for (let seq = 1; ; seq++) {
    const next = await unlessStopped(iterator.next(), control.noMoreStarts.signal)
    if (next === STOP || next.done === true) break
    if (joblog?.done.has(seq)) {
      printer.deliver(seq, NOTHING)
      continue
    }
    const slot = await unlessStopped(slots.acquire(control.noMoreStarts.signal), control.noMoreStarts.signal)
    if (slot === STOP) break
    const job = runJob(seq, next.value, slot).finally(() => {
      slots.release(slot)
      running.delete(job)
    })
    running.add(job)
  }
  await Promise.all(running)
  await pm.close()
  joblog?.close()
  if (fatal) throw fatal.error
  if (bar) bar.finish()
  return halt?.exitStatus ?? Math.min(failed, 101)
}

function inputs(o: CliOptions): AsyncIterable<string[]> {
  if (o.groups !== undefined) return jobArguments(o.groups, fromArray([]), '\n')
  process.stdin.setEncoding('utf8')
  const all = jobArguments(undefined, process.stdin, o.nul ? '\0' : '\n')
  // JSON lines for a worker: blank lines carry no job.
  return o.worker === undefined ? all : filter(all, ([line]) => line!.trim() !== '')
}

function jobOutput(o: CliOptions, seq: number, plan: JobPlan, result: JobResult): JobOutput {
  if (o.worker !== undefined) {
    const { ident, exitCode, data, error } = result
    return { stdout: JSON.stringify({ ident, exitCode, data: data ?? null, error }) + '\n', stderr: '' }
  }
  let note = ''
  if (result.timedOut) note = `forkpool: job ${seq} timed out and was stopped: ${plan.display}\n`
  else if (result.error !== null) note = `forkpool: job ${seq}: ${result.error.message}\n`
  return { stdout: result.stdout ?? '', stderr: (result.stderr ?? '') + note }
}

/** A job that never reached a runner: its command line could not be made, or start() refused it. */
function notRun(seq: number, error: SerializedError): JobResult {
  return unstartedResult(String(seq), 'command', undefined, error)
}

async function dryRun(o: CliOptions, source: AsyncIterable<string[]>): Promise<number> {
  let seq = 0
  for await (const args of source) {
    seq++
    process.stdout.write(planJob(o, { args, seq, slot: ((seq - 1) % o.jobs) + 1 }).display + '\n')
  }
  return 0
}

async function readAll<T>(source: AsyncIterable<T>, stop: AbortSignal): Promise<T[]> {
  const all: T[] = []
  const iterator = source[Symbol.asyncIterator]()
  for (;;) {
    const next = await unlessStopped(iterator.next(), stop)
    if (next === STOP || next.done === true) return all
    all.push(next.value)
  }
}

async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  yield* items
}

async function* filter<T>(source: AsyncIterable<T>, keep: (item: T) => boolean): AsyncGenerator<T> {
  for await (const item of source) if (keep(item)) yield item
}
