// One forkpool run: reads the jobs' arguments, runs the jobs under the cap, prints, logs, halts.

import { accessSync, constants } from 'node:fs'
import { ForkManager } from '../manager/fork-manager.js'
import { unstartedResult } from '../manager/job-result.js'
import { WorkerLoadError } from '../errors.js'
import { serializeError } from '../util/serialize-error.js'
import { workerUrl } from '../runners/spec.js'
import { missingWorkerFile } from '../worker-file/missing-file.js'
import type { CommandJob, JobResult, SerializedError } from '../types.js'
import type { Backend } from '../runners/backend.js'
import { HaltTracker } from './halt.js'
import { planJob, type JobPlan } from './job-plan.js'
import { shellStatus, signalNumber } from './job-status.js'
import { exitval, Joblog, joblogLine } from './joblog.js'
import type { CliOptions } from './options.js'
import { NO_OUTPUT, OrderedPrinter, tagLines, type JobOutput } from './output.js'
import { ProgressBar } from './progress.js'
import { openResults } from './results.js'
import { SlotPool } from './slots.js'
import { LineRelay } from './line-buffer.js'
import { expandText, type ReplaceSettings } from './replace.js'
import { jobSource, readAll, unlessStopped, STOP, type Work } from './work.js'
import { UsageError } from './usage.js'
import { TOKEN_SETTING } from '../control/status/token.js'
import type { StartedStatusOptions } from '../control/status/server.js'

/** Between SIGTERM and SIGKILL when a job is stopped (timeout, --halt now, Ctrl-C). */
const KILL_GRACE = '2s'

/** Runs the jobs; resolves with the exit status. */
export async function run(o: CliOptions): Promise<number> {
  for (const source of o.sources) {
    if (source.kind !== 'file' || source.file === '-') continue
    try {
      accessSync(source.file, constants.R_OK)
    } catch {
      throw new UsageError(`cannot read the input file ${JSON.stringify(source.file)}`)
    }
  }
  // A --worker file that is not here fails the run before it starts, once (with --redis the agents have it, this machine need not).
  const missing = o.worker === undefined || o.remote !== undefined ? undefined : missingWorkerFile(workerUrl(o.worker), o.worker)
  if (missing !== undefined) throw missing
  let interrupted = false
  const control: Control = { noMoreStarts: new AbortController(), killRunning: new AbortController(), outputClosed: false }
  const onSigint = (): void => {
    interrupted = true
    control.noMoreStarts.abort()
    control.killRunning.abort(new Error('interrupted (SIGINT)'))
  }
  // Whoever reads our output has gone (`forkpool … | head -1`): stop as for Ctrl-C, leaving no child.
  const onOutputError = (): void => {
    control.outputClosed = true
    control.noMoreStarts.abort()
    control.killRunning.abort(new Error('stdout closed'))
  }
  process.on('SIGINT', onSigint)
  process.stdout.on('error', onOutputError)
  if (readsStdin(o) && process.stdin.isTTY && process.stderr.isTTY) process.stderr.write(TERMINAL_INPUT)
  try {
    const status = await runJobs(o, control)
    if (!control.outputClosed) return status
    process.stderr.write('forkpool: stdout was closed: stopped the jobs\n')
    return 255
  } finally {
    process.off('SIGINT', onSigint)
    process.stdin.destroy()
    // An interrupted run says so with 130, whatever its jobs did.
    if (interrupted) process.exitCode = 130
  }
}

/** GNU parallel's warning, where it gives it: arguments read from a terminal, with stderr one too. */
const TERMINAL_INPUT = 'forkpool: Warning: Input is read from the terminal: one argument per line, Ctrl-D to end.\n' +
  'forkpool: Warning: To give the arguments otherwise: ::: or :::: or -a, or pipe them into forkpool.\n'

/** The arguments come from stdin: no input source, or `-` among them (--pipe's blocks are data, not arguments). */
function readsStdin(o: CliOptions): boolean {
  return !o.pipe && (o.sources.length === 0 || o.sources.some((s) => s.kind === 'file' && s.file === '-'))
}

interface Control {
  noMoreStarts: AbortController
  killRunning: AbortController
  /** stdout failed (EPIPE): nothing more is written to it. */
  outputClosed: boolean
}

async function runJobs(o: CliOptions, control: Control): Promise<number> {
  const joblog = o.joblog === undefined || o.dryRun ? undefined : new Joblog(o.joblog, o.resume)
  let { work: source, names } = jobSource(o, process.stdin)
  const replace: ReplaceSettings = { replace: o.replace, names, context: o.multi === 'X', hidden: o.nArgs === 0 || o.maxArgs === 0 }
  // --bar on a stderr that is not a terminal (a log, CI) prints only the summary line at the end.
  const animate = o.bar === 'always' || process.stderr.isTTY === true
  const bar = o.dryRun || o.bar === 'off' ? undefined : new ProgressBar(process.stderr, { animate })
  let total: number | undefined
  if (bar?.animate || o.halt?.percent !== undefined) {
    // A run still reading its arguments after a moment shows it is there ("0/?").
    const reading = setTimeout(() => bar?.update({}, true), 1000)
    // GNU parallel too reads every argument first for an ETA or a percentage.
    const all = await readAll(source, control.noMoreStarts.signal)
    clearTimeout(reading)
    total = all.filter((_, i) => !joblog?.done.has(i + 1)).length
    source = (async function* () { yield* all })()
  }
  if (o.dryRun) return dryRun(o, source, replace)

  bar?.update({ total }, true)
  const write = (fd: 1 | 2, bytes: Buffer): void => {
    if (bytes.length === 0 || (fd === 1 && control.outputClosed)) return
    bar?.clear()
    ;(fd === 1 ? process.stdout : process.stderr).write(bytes)
  }
  const results = o.results === undefined ? undefined : openResults(o.results, () => names)
  // --results keeps the output in its files, and prints none of it.
  const printer = new OrderedPrinter(o.keepOrder, (output) => {
    if (results !== undefined) return
    write(1, output.stdout)
    write(2, output.stderr)
  })
  const relay = o.grouping === 'line' ? new LineRelay(write) : undefined
  const halt = o.halt && new HaltTracker(o.halt, () => total!)
  const pm = new ForkManager({
    maxProcs: o.jobs, timeout: o.timeoutMs ?? Infinity, killGrace: KILL_GRACE, minFreeMemory: o.memfree, maxLoad: o.load,
    backend: await remoteBackend(o),
  })
  if (o.statusPort !== undefined) {
    // On loopback, for the length of the run: pm.close() closes it. Its refusals name our flag, not serveStatus().
    const options: StartedStatusOptions = {
      port: o.statusPort, token: o.statusToken, [TOKEN_SETTING]: '--status-token TOKEN or FORKPOOL_STATUS_TOKEN',
    }
    const status = await pm.serveStatus(options)
    process.stderr.write(`forkpool: status at ${status.url}\n`)
  }
  const slots = new SlotPool(o.jobs)
  let done = 0
  let failed = 0
  let fatal: { error: unknown } | undefined

  const finished = (seq: number, work: Work, plan: JobPlan, result: JobResult, prefix: Buffer | undefined): void => {
    if (result.error?.code === WorkerLoadError.code) {
      // The --worker file cannot load: every job would fail alike. No more start, and one message at the end.
      fatal ??= { error: new Error(result.error.message) }
      control.noMoreStarts.abort()
      return printer.deliver(seq, NO_OUTPUT)
    }
    // Jobs stopped by --halt now or Ctrl-C are neither counted nor logged: --resume runs them again.
    // One cancelled over HTTP (--status-token) while the run goes on is a failed job, as one killed by hand.
    if (result.cancelled && control.killRunning.signal.aborted) return printer.deliver(seq, NO_OUTPUT)
    const isFailure = !result.ok
    done++
    if (isFailure) failed++
    const output = jobOutput(o, seq, plan, result)
    joblog?.write(joblogLine(seq, result, plan.display, output.stdout.length))
    results?.write({
      seq, startedAt: result.startedAt, durationMs: result.durationMs, exitval: exitval(result), signal: signalNumber(result.signal),
      command: plan.display, values: work.records.flat(), stdout: output.stdout, stderr: output.stderr,
    })
    printer.deliver(seq, { stdout: tagLines(output.stdout, prefix), stderr: tagLines(output.stderr, prefix) })
    bar?.update({ done, failed })
    const when = halt?.record(isFailure, shellStatus(result))
    if (when !== undefined && !control.noMoreStarts.signal.aborted) {
      process.stderr.write(`forkpool: --halt reached at job ${seq}: starting no more ` +
        `jobs${when === 'now' ? ', stopping the running ones' : ', waiting for the running ones'}\n`)
      control.noMoreStarts.abort()
      if (when === 'now') control.killRunning.abort(new Error('--halt now'))
    }
  }

  const runJob = async (seq: number, work: Work, slot: number): Promise<void> => {
    const input = { records: work.records, seq, slot }
    const tag = o.tagstring === undefined ? (replace.hidden ? '' : work.records.flat().join(' ')) : expandText(o.tagstring, input, replace)
    const prefix = !o.tag ? undefined : Buffer.from(`${tag}\t`)
    const files = relay?.open(seq, prefix)
    const plan = planJob(o, input, replace, work.stdin, files)
    if (o.verbose) process.stderr.write(`${plan.display}\n`)
    let result: JobResult
    if ('error' in plan) result = notRun(seq, plan.error)
    else {
      try {
        const retries = { count: o.tries - 1 }
        result = await (await pm.start(String(seq), plan.spec, { signal: control.killRunning.signal, retries })).result
      } catch (error) {
        result = notRun(seq, serializeError(error))
      }
    }
    relay?.finish(seq)
    try {
      finished(seq, work, plan, result, prefix)
    } catch (error) {
      // Recording the job failed (--results cannot write): stop everything, then report it.
      fatal ??= { error }
      control.noMoreStarts.abort()
      control.killRunning.abort(error)
    }
  }

  const running = new Set<Promise<void>>()
  const iterator = source[Symbol.asyncIterator]()
  let lastStart = -Infinity
  for (let seq = 1; ; seq++) {
    const next = await unlessStopped(iterator.next(), control.noMoreStarts.signal)
    if (next === STOP || next.done === true) break
    if (joblog?.done.has(seq)) {
      printer.deliver(seq, NO_OUTPUT)
      continue
    }
    const slot = await unlessStopped(slots.acquire(control.noMoreStarts.signal), control.noMoreStarts.signal)
    if (slot === STOP) break
    const wait = lastStart + o.delayMs - Date.now()
    if (wait > 0 && (await unlessStopped(new Promise((resolve) => setTimeout(resolve, wait)), control.noMoreStarts.signal)) === STOP) {
      slots.release(slot)
      break
    }
    lastStart = Date.now()
    const job = runJob(seq, next.value, slot).finally(() => {
      slots.release(slot)
      running.delete(job)
    })
    running.add(job)
  }
  await Promise.all(running)
  await pm.close()
  joblog?.close()
  results?.close()
  relay?.close()
  if (fatal) throw fatal.error
  if (bar) bar.finish()
  return halt?.exitStatus ?? Math.min(failed, 101)
}

function jobOutput(o: CliOptions, seq: number, plan: JobPlan, result: JobResult): JobOutput {
  if (o.worker !== undefined) {
    const { ident, exitCode, data, error } = result
    return { stdout: Buffer.from(JSON.stringify({ ident, exitCode, data: data ?? null, error }) + '\n'), stderr: Buffer.alloc(0) }
  }
  let note = ''
  if (result.timedOut) note = `forkpool: job ${seq} timed out and was stopped: ${plan.display}\n`
  else if (result.cancelled) note = `forkpool: job ${seq} was ${String(result.cancelReason)}: ${plan.display}\n`
  else if (result.error !== null) note = `forkpool: job ${seq}: ${result.error.message}${shellHint(o, plan, result.error)}\n`
  const stderr = Buffer.from(result.stderr ?? '', 'latin1')
  return { stdout: Buffer.from(result.stdout ?? '', 'latin1'), stderr: note === '' ? stderr : Buffer.concat([stderr, Buffer.from(note)]) }
}

/** Spaces or shell syntax in the command word: a GNU parallel user's quoted shell line (`'echo {} | wc'`). */
const SHELL_SYNTAX = /[\s|&;<>()$`\\"'*?[\]#~]/

/** The hint for a command not found whose name reads as a shell line: it runs as one only with --shell. */
function shellHint(o: CliOptions, plan: JobPlan, error: SerializedError): string {
  // Only a command's plan gets here (a worker job's output is its JSON line), and a command always has a spec.
  const { command } = (plan as { spec: CommandJob }).spec
  return !o.shell && error.code === 'ENOENT' && SHELL_SYNTAX.test(command) ? '; to run it through a shell, add --shell' : ''
}

/** With --redis: the Redis backend, loaded only then, so a local run never loads BullMQ. */
async function remoteBackend(o: CliOptions): Promise<Backend | undefined> {
  if (o.remote === undefined) return undefined
  const { redisBackend } = await import('../remote/redis-backend.js')
  return redisBackend(o.remote)
}

/** A job that never reached a runner: its command line could not be made, or start() refused it. */
function notRun(seq: number, error: SerializedError): JobResult {
  return unstartedResult(String(seq), 'command', undefined, error)
}

async function dryRun(o: CliOptions, source: AsyncIterable<Work>, replace: ReplaceSettings): Promise<number> {
  let seq = 0
  for await (const work of source) {
    seq++
    process.stdout.write(planJob(o, { records: work.records, seq, slot: ((seq - 1) % o.jobs) + 1 }, replace).display + '\n')
  }
  return 0
}
