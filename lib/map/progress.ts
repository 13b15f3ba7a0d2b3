// With a map() timeout, which is per item: the chunk runner writes, as it goes, which items it has
// finished and their results, to a file of its own in a folder of the map's (any isolation: a
// fresh process, a pooled one, a thread). A worker function that blocks on an item and does not listen to
// ctx.signal cannot be interrupted inside its chunk; it is killed, and what it wrote survives.
// A file, not a socket: a write to it is done when writeSync returns, where a socket's may wait
// in the blocked process's or thread's own buffers. Nothing of this exists without a timeout: a map without
// one pays nothing for it.

import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { deserialize } from 'node:v8'
import type { SerializedError } from '../types.js'

/**
 * A frame, the child's report: [first item, results of the items from there, failures among them
 * as [position in the chunk, exit code, error]]. [0, [], []] says the worker file is loaded and
 * the items begin. On disk: a 4-byte length, then the v8-serialized frame.
 */
export type ProgressFrame = [number, unknown[], Array<[number, number, SerializedError | null]>]

/** What a chunk had written when it was read. */
export interface ChunkProgress {
  /** Items [0, done) have finished; their results are in data and failures. */
  done: number
  data: unknown[]
  failures: Array<[number, number, SerializedError | null]>
}

export class ProgressFiles {
  readonly #dir = mkdtempSync(path.join(tmpdir(), 'forkpool-map-'))
  #nextId = 0

  /** A chunk about to start: the file it writes to (made now, empty) and a watch on it. */
  open(): ChunkFile {
    return new ChunkFile(path.join(this.#dir, String(this.#nextId++)))
  }

  close(): void {
    rmSync(this.#dir, { recursive: true, force: true })
  }
}

export class ChunkFile {
  readonly path: string
  readonly #fd: number
  #size = 0

  constructor(file: string) {
    this.path = file
    this.#fd = openSync(file, 'w+')
  }

  /** True when the chunk wrote since the last call. */
  grew(): boolean {
    const { size } = fstatSync(this.#fd)
    if (size === this.#size) return false
    this.#size = size
    return true
  }

  /** Everything the chunk wrote, put together. */
  read(): ChunkProgress {
    const bytes = readFileSync(this.path)
    const progress: ChunkProgress = { done: 0, data: [], failures: [] }
    // Whole frames: each is one writeSync to a regular file, which a kill does not cut.
    for (let at = 0; at < bytes.length; at += 4 + bytes.readUInt32BE(at)) {
      const [from, data, failures] = deserialize(bytes.subarray(at + 4, at + 4 + bytes.readUInt32BE(at))) as ProgressFrame
      for (const value of data) progress.data.push(value)
      for (const failure of failures) progress.failures.push(failure)
      progress.done = from + data.length
    }
    return progress
  }

  /** Done with it: closed and removed. */
  close(): void {
    closeSync(this.#fd)
    rmSync(this.path, { force: true })
  }
}
