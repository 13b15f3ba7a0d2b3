// --results, GNU parallel's: DIR/1/ARG/2/ARG/{seq,stdout,stderr} per job (the number of the
// input source, or its --header name, then the argument, `/` written `\_`); or, for a name
// ending in .csv or .json, one table with a row per job. Either way the output is not printed.

import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs'
import path from 'node:path'
import { JOBLOG_COLUMNS } from './joblog.js'

export interface JobRecord {
  seq: number
  startedAt: number
  durationMs: number
  exitval: number
  signal: number
  command: string
  /** The job's arguments, one per input source (or column). */
  values: readonly string[]
  stdout: Buffer
  stderr: Buffer
}

export interface ResultsSink {
  write(job: JobRecord): void
  close(): void
}

/** `names`: the sources' --header names, by position from 1. */
export function openResults(target: string, names: () => ReadonlyMap<string, number>): ResultsSink {
  if (target.endsWith('.csv')) return new Table(target, 'csv', names)
  if (target.endsWith('.json')) return new Table(target, 'json', names)
  return { write: (job) => writeJobDir(target, job, sourceNames(names())), close: () => {} }
}

function sourceNames(names: ReadonlyMap<string, number>): Map<number, string> {
  return new Map([...names].map(([name, position]) => [position, name]))
}

/** An argument as one path segment, as GNU parallel writes it. */
export function segment(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('/', '\\_')
}

export function jobDir(dir: string, values: readonly string[], names: ReadonlyMap<number, string> = new Map()): string {
  return path.join(dir, ...values.flatMap((value, i) => [names.get(i + 1) ?? String(i + 1), segment(value)]))
}

function writeJobDir(dir: string, job: JobRecord, names: ReadonlyMap<number, string>): void {
  const where = jobDir(dir, job.values, names)
  mkdirSync(where, { recursive: true })
  writeFileSync(path.join(where, 'seq'), String(job.seq))
  writeFileSync(path.join(where, 'stdout'), job.stdout)
  writeFileSync(path.join(where, 'stderr'), job.stderr)
}

/** Text as bytes: strings are UTF-8, output is written as it came. */
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8')

export function csvField(field: Buffer): Buffer {
  const text = field.toString('latin1')
  return /[,"\s]/.test(text) ? Buffer.from(`"${text.replaceAll('"', '""')}"`, 'latin1') : field
}

export function jsonString(field: Buffer): Buffer {
  // Byte for byte, as GNU parallel writes it: only quotes, backslashes and control characters are escaped.
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  const text = field.toString('latin1').replace(/["\\\x00-\x1f]/g,
    (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
  return Buffer.from(`"${text}"`, 'latin1')
}

class Table implements ResultsSink {
  readonly #fd: number
  readonly #format: 'csv' | 'json'
  readonly #names: () => ReadonlyMap<string, number>
  #headerWritten = false

  constructor(file: string, format: 'csv' | 'json', names: () => ReadonlyMap<string, number>) {
    this.#fd = openSync(file, 'w')
    this.#format = format
    this.#names = names
  }

  write(job: JobRecord): void {
    const facts = [job.seq, ':', (job.startedAt / 1000).toFixed(3), (job.durationMs / 1000).toFixed(3), 0, job.stdout.length, job.exitval,
      job.signal]
    if (this.#format === 'json') {
      const fields = JOBLOG_COLUMNS.slice(0, 8).map((name, i) => utf8(`"${name}": ${i === 1 ? '":"' : facts[i]}, `))
      const values = Buffer.concat([utf8('[ '), ...job.values.flatMap((v, i) => [i > 0 ? utf8(', ') : utf8(''), jsonString(utf8(v))]),
        utf8(' ]')])
      const line = [utf8('{ '), ...fields, utf8('"Command": '), jsonString(utf8(job.command)), utf8(', "V": '), values,
        utf8(', "Stdout": '), jsonString(job.stdout), utf8(', "Stderr": '), jsonString(job.stderr), utf8(' }\n')]
      writeSync(this.#fd, Buffer.concat(line))
      return
    }
    if (!this.#headerWritten) {
      this.#headerWritten = true
      const names = sourceNames(this.#names())
      const v = job.values.map((_, i) => names.get(i + 1) ?? `V${i + 1}`)
      writeSync(this.#fd, [...JOBLOG_COLUMNS, ...v, 'Stdout', 'Stderr'].join(',') + '\n')
    }
    const fields = [...facts.map((f) => utf8(String(f))), utf8(job.command), ...job.values.map(utf8), job.stdout, job.stderr].map(csvField)
    writeSync(this.#fd, Buffer.concat(fields.flatMap((f, i) => (i === 0 ? [f] : [utf8(','), f])).concat(utf8('\n'))))
  }

  close(): void {
    closeSync(this.#fd)
  }
}
