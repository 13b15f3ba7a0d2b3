// --line-buffer: each job writes its stdout and stderr to files of its own (job-plan.ts), and
// whole lines are copied from them to ours as they appear, so lines of jobs may interleave but a
// line is never cut. What is left when a job ends (a last line without newline) follows at once.

import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RelayFiles } from './job-plan.js'
import { tagLines } from './output.js'

/** How often the running jobs' files are read. */
const POLL_MS = 20
const CHUNK = 64 * 1024

interface Stream {
  fd: number
  pending: Buffer
  write: (bytes: Buffer) => void
}

export class LineRelay {
  readonly #dir = mkdtempSync(path.join(tmpdir(), 'forkpool-'))
  readonly #jobs = new Map<number, { streams: Stream[] }>()
  readonly #write: (fd: 1 | 2, bytes: Buffer) => void
  #timer: NodeJS.Timeout | undefined

  constructor(write: (fd: 1 | 2, bytes: Buffer) => void) {
    this.#write = write
  }

  /** The files job `seq` writes to; they exist, empty, when this returns. */
  open(seq: number, prefix: Buffer | undefined): RelayFiles {
    const files = { out: path.join(this.#dir, `${seq}.out`), err: path.join(this.#dir, `${seq}.err`) }
    const streams = ([[files.out, 1], [files.err, 2]] as const).map(([file, fd]) => {
      closeSync(openSync(file, 'w'))
      return { fd: openSync(file, 'r'), pending: Buffer.alloc(0), write: (bytes: Buffer) => this.#write(fd, tagLines(bytes, prefix)) }
    })
    this.#jobs.set(seq, { streams })
    this.#timer ??= setInterval(() => this.#poll(), POLL_MS)
    return files
  }

  /** Job `seq` (opened) has ended: the rest of its output, then its files go. */
  finish(seq: number): void {
    const job = this.#jobs.get(seq)!
    this.#jobs.delete(seq)
    for (const stream of job.streams) {
      this.#read(stream)
      if (stream.pending.length > 0) stream.write(stream.pending)
      closeSync(stream.fd)
    }
    if (this.#jobs.size === 0) this.#stopPolling()
  }

  /** Every job has finished: the folder goes. */
  close(): void {
    rmSync(this.#dir, { recursive: true, force: true })
  }

  #stopPolling(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  #poll(): void {
    for (const job of this.#jobs.values()) for (const stream of job.streams) this.#read(stream)
  }

  /** Reads what is new; writes it up to its last newline and keeps the rest for later. */
  #read(stream: Stream): void {
    const chunks = [stream.pending]
    const buffer = Buffer.allocUnsafe(CHUNK)
    for (let n = readSync(stream.fd, buffer); n > 0; n = readSync(stream.fd, buffer)) chunks.push(Buffer.from(buffer.subarray(0, n)))
    const all = Buffer.concat(chunks)
    const cut = all.lastIndexOf(0x0a) + 1
    if (cut > 0) stream.write(all.subarray(0, cut))
    stream.pending = all.subarray(cut)
  }
}
