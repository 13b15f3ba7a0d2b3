// From one job's arguments to the job forkpool starts: a command (argv or a shell line) or a worker call.

import type { JobSpec, SerializedError } from '../types.js'
import type { CliOptions } from './options.js'
import { shellQuote } from '../util/shell-quote.js'
import { expandArgv, expandShellLine, type JobInput } from './replace.js'

export type JobPlan =
  | { spec: JobSpec; display: string }
  /** The arguments cannot make a job (a worker's data that is not JSON): it fails without running. */
  | { error: SerializedError; display: string }

export type PlanOptions = Pick<CliOptions, 'command' | 'shell' | 'lineBuffer' | 'worker' | 'isolation'>

export function planJob(o: PlanOptions, input: JobInput): JobPlan {
  if (o.worker !== undefined) return planWorker(o.worker, o.isolation, input.args)
  // Output is captured so each job's can be printed whole, unless --line-buffer lets it through.
  const capture = !o.lineBuffer
  if (o.shell) {
    const line = expandShellLine(o.command, input)
    return { spec: { command: line, shell: true, capture }, display: line }
  }
  const [command = '', ...args] = expandArgv(o.command, input)
  return { spec: { command, args, capture }, display: [command, ...args].map(shellQuote).join(' ') }
}

function planWorker(worker: string, isolation: PlanOptions['isolation'], args: readonly string[]): JobPlan {
  const display = [worker, ...args].map(shellQuote).join(' ')
  try {
    const values = args.map((arg) => JSON.parse(arg) as unknown)
    return { spec: { worker, isolation, data: values.length === 1 ? values[0] : values }, display }
  } catch (error) {
    return { error: { name: 'SyntaxError', message: `the argument is not JSON (${(error as Error).message}): ${args.join(' ')}` }, display }
  }
}
