// --joblog in GNU parallel's tab-separated format, and --resume's reading of it.

import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs'
import type { JobResult } from '../types.js'
import { signalNumber } from './job-status.js'

export const JOBLOG_COLUMNS = ['Seq', 'Host', 'Starttime', 'JobRuntime', 'Send', 'Receive', 'Exitval', 'Signal', 'Command'] as const

/**
 * One record. As in GNU parallel: Host ':' (this machine), Receive the bytes of stdout,
 * Exitval -1 for a job stopped by its timeout, 0 (with the Signal's number) for one ended by a signal.
 * A program that never ran gets 127, the shell's status for it.
 */
export function joblogLine(seq: number, result: JobResult, command: string, received: number): string {
  const exitval = result.timedOut ? -1 : result.exitCode ?? (result.signal !== null ? 0 : 127)
  return [
    seq,
    ':',
    (result.startedAt / 1000).toFixed(3),
    (result.durationMs / 1000).toFixed(3).padStart(10),
    0,
    received,
    exitval,
    signalNumber(result.signal),
    // One record per line, whatever the command holds.
    command.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t'),
  ].join('\t') + '\n'
}

/** The job numbers a joblog records, header and malformed lines ignored. */
export function loggedSeqs(text: string): Set<number> {
  const seqs = new Set<number>()
  for (const line of text.split('\n')) {
    const seq = /^(\d+)\t/.exec(line)?.[1]
    if (seq !== undefined) seqs.add(Number(seq))
  }
  return seqs
}

/** The open joblog: a new file with its header, or (resuming) the old one appended to. */
export class Joblog {
  readonly #fd: number
  /** Job numbers already logged when resuming. */
  readonly done: Set<number>

  constructor(file: string, resume: boolean) {
    const resuming = resume && existsSync(file)
    this.done = resuming ? loggedSeqs(readFileSync(file, 'utf8')) : new Set()
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
