// Job lifecycle lines: started, finished, failed. Any pino-style logger, or NODE_DEBUG=forkpool.

import { Console } from 'node:console'
import { debuglog } from 'node:util'
import { describe } from '../util/describe.js'
import { LOGGER_WARNING, emitForkpoolWarning } from '../errors.js'
import type { JobResult } from '../types.js'

/** One level of a Logger, called pino-style: the fields of the line, then its message. */
export type LogMethod = (fields: object, message: string) => void

/**
 * Anything with pino's four methods, called as `logger.info(fields, message)`; a `Console` (the global one too) is called message first.
 */
export interface Logger {
  /** Not used by forkpool today; part of the shape so that pino and console fit. */
  debug: LogMethod
  /** Jobs started, finished, cancelled. */
  info: LogMethod
  /** Jobs failed (exit code, signal, timeout, error). */
  warn: LogMethod
  /** Not used by forkpool today; part of the shape so that pino and console fit. */
  error: LogMethod
}

/** What names a job in its log lines. */
export interface JobLabels {
  ident: string
  name: string | null
  label: string | null
  /** Runs so far, this one included (the `attempt` field). */
  attempts: number
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const

export function assertLogger(value: unknown): Logger {
  const missing = typeof value === 'object' && value !== null
    ? LEVELS.filter((level) => typeof (value as Record<string, unknown>)[level] !== 'function')
    : LEVELS
  if (missing.length > 0) {
    throw new TypeError(`logger must have debug, info, warn and error methods (like pino or console), got ` +
      `${describe(value)}${missing.length < 4 ? ` without ${missing.join(', ')}` : ''}`)
  }
  return value instanceof Console ? messageFirst(value) : (value as Logger)
}

/**
 * A console (the global one, or a `new Console(…)`) as a Logger: console.info(fields, message)
 * would print the fields first, so each line is printed as `message { fields }`.
 */
function messageFirst(sink: Console): Logger {
  return {
    debug: (fields, message) => sink.debug(message, fields),
    info: (fields, message) => sink.info(message, fields),
    warn: (fields, message) => sink.warn(message, fields),
    error: (fields, message) => sink.error(message, fields),
  }
}

/**
 * The default logger: every level goes to `util.debuglog('forkpool')` as `message key=value …`,
 * so `NODE_DEBUG=forkpool` shows the lines on stderr and nothing is formatted otherwise.
 */
export function debugLogger(sink: ((line: string) => void) & { enabled?: boolean } = debuglog('forkpool')): Logger {
  const write: LogMethod = (fields, message) => {
    if (sink.enabled === false) return
    const pairs = Object.entries(fields).map(([key,
      value]) => `${key}=${typeof value === 'string' ? JSON.stringify(value) : String(value)}`)
    sink([message, ...pairs].join(' '))
  }
  return { debug: write, info: write, warn: write, error: write }
}

/**
 * The manager's default: debugLogger() when NODE_DEBUG names forkpool, else none at all, so that
 * no job builds lines nobody reads (NODE_DEBUG is read once, as the process starts).
 */
export function defaultLogger(sink: ((line: string) => void) & { enabled?: boolean } = debuglog('forkpool')): Logger | undefined {
  return sink.enabled === false ? undefined : debugLogger(sink)
}

/** Writes a job's lines (none without a logger); a logger that throws becomes a process warning and never disturbs the jobs. */
export class JobLog {
  readonly #logger: Logger | undefined

  constructor(logger: Logger | undefined) {
    this.#logger = logger
  }

  started(job: JobLabels, pid: number | null, kind: string): void {
    if (this.#logger === undefined) return
    this.#write('info', { ...fields(job), attempt: job.attempts, pid, kind }, 'job started')
  }

  ended(job: JobLabels, result: JobResult): void {
    if (this.#logger === undefined) return
    const base = {
      ...fields(job), attempt: result.attempts, pid: result.pid, exitCode: result.exitCode, durationMs: Math.round(result.durationMs),
    }
    if (result.cancelled) {
      this.#write('info', { ...base, reason: String(result.cancelReason) }, 'job cancelled')
    } else if (result.ok) {
      this.#write('info', base, 'job finished')
    } else {
      this.#write('warn', { ...base, signal: result.signal, reason: failureReason(result) }, 'job failed')
    }
  }

  /** A run failed and the job runs again: the failure, with the attempt that failed. */
  retrying(job: JobLabels, last: JobResult): void {
    if (this.#logger === undefined) return
    const { pid, exitCode, signal } = last
    this.#write('warn', {
      ...fields(job), attempt: last.attempts, pid, exitCode, durationMs: Math.round(last.durationMs), signal, reason: failureReason(last),
    }, 'job attempt failed, retrying')
  }

  #write(level: 'info' | 'warn', record: object, message: string): void {
    try {
      this.#logger![level](record, message)
    } catch (error) {
      emitForkpoolWarning(error, LOGGER_WARNING)
    }
  }
}

function fields(job: JobLabels): Record<string, string> {
  const out: Record<string, string> = { ident: job.ident }
  if (job.name !== null) out.name = job.name
  if (job.label !== null) out.label = job.label
  return out
}

/** One phrase for why a job failed. */
export function failureReason(result: JobResult): string {
  if (result.timedOut) return 'timed out'
  if (result.error !== null) return `${result.error.name}: ${result.error.message}`
  if (result.signal !== null) return `killed by ${result.signal}`
  return `exit code ${result.exitCode}`
}
