// --joblog in GNU parallel's tab-separated format, and --resume's reading of it.

import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs'
import type { JobResult } from '../types.js'
import { signalNumber } from './job-status.js'

export const JOBLOG_COLUMNS = ['Seq', 'Host', 'Starttime', 'JobRuntime', 'Send', 'Receive', 'Exitval', 'Signal', 'Command'] as const

/**
 * One record. As in GNU parallel: Host ':' for this machine, the agent's name for a job that ran
 * through --redis (it has a queue jobId; one refused before it left here has none), Receive the bytes of stdout,
 * Exitval -1 for a job stopped by its timeout, 0 (with the Signal's number) for one ended by a signal.
 * A program that never ran gets 127, the shell's status for it.
 */
export function joblogLine(seq: number, result: JobResult, command: string, received: number): string {
  return [
    seq,
    result.jobId === null ? ':' : oneField(result.host),
    (result.startedAt / 1000).toFixed(3),
    (result.durationMs / 1000).toFixed(3).padStart(10),
    0,
    received,
    exitval(result),
    signalNumber(result.signal),
    oneField(command),
  ].join('\t') + '\n'
}

/** One record per line and nine fields per record, whatever a command or an agent's name holds. */
function oneField(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t')
}

/** The Exitval column: -1 after a timeout, 0 for a signal (the Signal column has it), 127 for a program that never ran. */
export function exitval(result: JobResult): number {
  return result.timedOut ? -1 : result.exitCode ?? (result.signal !== null ? 0 : 127)
}

/** The job numbers a joblog records (`succeededOnly`: with Exitval 0 and Signal 0), header and malformed lines ignored. */
export function loggedSeqs(text: string, succeededOnly = false): Set<number> {
  const seqs = new Set<number>()
  for (const line of text.split('\n')) {
    const fields = line.split('\t')
    if (!/^\d+$/.test(fields[0]!)) continue
    if (!succeededOnly || (fields[6] === '0' && fields[7] === '0')) seqs.add(Number(fields[0]))
  }
  return seqs
}

/** The open joblog: a new file with its header, or (resuming) the old one appended to. */
export class Joblog {
  readonly #fd: number
  /** Job numbers already logged when resuming. */
  readonly done: Set<number>

  /** `resume`: 'all' skips every logged job, 'failed' only those that succeeded. */
  constructor(file: string, resume: 'none' | 'all' | 'failed') {
    const resuming = resume !== 'none' && existsSync(file)
    this.done = resuming ? loggedSeqs(readFileSync(file, 'utf8'), resume === 'failed') : new Set()
    this.#fd = openSync(file, resuming ? 'a' : 'w')
    if (!resuming) this.write(JOBLOG_COLUMNS.join('\t') + '\n')
  }

  /** Written at once, so the log is whole whenever the run ends. */
  write(line: string): void {
    writeSync(this.#fd, line)
  }

  close(): void {
    closeSync(this.#fd)
  }
}
