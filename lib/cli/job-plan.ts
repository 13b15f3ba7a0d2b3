// From one job's arguments to the job forkpool starts: a command (argv or a shell line) or a call of the --worker file.

import type { CommandJob, JobSpec, SerializedError } from '../types.js'
import type { CliOptions } from './options.js'
import { shellQuote } from '../util/shell-quote.js'
import { expandArgv, expandShellLine, type JobInput, type ReplaceSettings } from './replace.js'

export type JobPlan =
  | { spec: JobSpec; display: string }
  /** The arguments cannot make a job (a worker job's data that is not JSON): it fails without running. */
  | { error: SerializedError; display: string }

export type PlanOptions = Pick<CliOptions, 'command' | 'shell' | 'quote' | 'grouping' | 'worker' | 'isolation' | 'nice'>

/**
 * --line-buffer's files: the job writes its stdout and stderr there (GNU parallel too buffers
 * output in files), through a shell that only redirects and then execs the command, its words
 * passed as "$@", never read by the shell.
 */
export interface RelayFiles {
  out: string
  err: string
}

const REDIRECT = 'out=$0 err=$1; shift; exec "$@" >"$out" 2>"$err"'

/** `stdin`: --pipe's block for the job. */
export function planJob(o: PlanOptions, input: JobInput, replace: ReplaceSettings = {}, stdin?: Uint8Array, relay?: RelayFiles): JobPlan {
  const plan = planCommand(o, input, replace, stdin)
  if (relay === undefined || 'error' in plan) return plan
  const spec = plan.spec as CommandJob
  const argv = spec.shell === true ? ['/bin/sh', '-c', spec.command] : [spec.command, ...spec.args!]
  const relayed: CommandJob = { command: '/bin/sh', args: ['-c', REDIRECT, relay.out, relay.err, ...argv] }
  if (spec.input !== undefined) relayed.input = spec.input
  return { spec: relayed, display: plan.display }
}

function planCommand(o: PlanOptions, input: JobInput, replace: ReplaceSettings, stdin: Uint8Array | undefined): JobPlan {
  if (o.worker !== undefined) return planWorkerJob(o.worker, o.isolation, input.records.flat())
  // Output is captured, byte for byte, so each job's can be printed whole; --ungroup lets it through.
  const capture = o.grouping !== 'ungroup'
  const extra: Partial<CommandJob> = capture ? { capture, encoding: 'latin1' } : {}
  if (stdin !== undefined) extra.input = stdin
  const nice = o.nice === undefined ? [] : ['nice', '-n', String(o.nice)]
  if (o.shell) {
    const line = expandShellLine(o.command, input, replace, o.quote)
    if (nice.length > 0) {
      return {
        spec: {
          command: 'nice', args: [...nice.slice(1), '/bin/sh', '-c', line], ...extra,
        }, display: `${nice.join(' ')} /bin/sh -c ${shellQuote(line)}`
      }
    }
    return { spec: { command: line, shell: true, ...extra }, display: line }
  }
  const [command = '', ...args] = [...nice, ...expandArgv(o.command, input, replace)]
  return { spec: { command, args, ...extra }, display: [command, ...args].map(shellQuote).join(' ') }
}

function planWorkerJob(worker: string, isolation: PlanOptions['isolation'], args: readonly string[]): JobPlan {
  const display = [worker, ...args].map(shellQuote).join(' ')
  try {
    const values = args.map((arg) => JSON.parse(arg) as unknown)
    return { spec: { worker, isolation, data: values.length === 1 ? values[0] : values }, display }
  } catch (error) {
    return { error: { name: 'SyntaxError', message: `the argument is not JSON (${(error as Error).message}): ${args.join(' ')}` }, display }
  }
}
