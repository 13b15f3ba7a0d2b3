// The run's jobs as they come: argument sets batched per command line, or --pipe's blocks of
// stdin; and the helpers that wait for them without outliving a stop.

import { batches } from './batch.js'
import { readInputs, type InputRecord } from './inputs.js'
import type { CliOptions } from './options.js'
import { blocks } from './pipe.js'

/** One job's share of the input. */
export interface Work {
  records: InputRecord[]
  /** --pipe: the block the job reads on its stdin. */
  stdin?: Buffer
}

export function jobSource(o: CliOptions, stdin: NodeJS.ReadableStream & AsyncIterable<unknown>): {
  work: AsyncIterable<Work>; names: Map<string, number>,
} {
  if (o.pipe) {
    const source = blocks(stdin as AsyncIterable<Buffer>, {
      blockBytes: o.blockBytes, recstart: o.recstart, recend: o.recend, records: o.nArgs ?? o.maxArgs,
    })
    return { work: map(source, (block) => ({ records: [], stdin: block })), names: new Map() }
  }
  stdin.setEncoding('utf8')
  const inputs = readInputs(o, stdin as AsyncIterable<string>)
  let records = inputs.records
  // JSON lines for a worker: blank lines carry no job.
  if (o.worker !== undefined) records = filter(records, (record) => record.some((value) => value.trim() !== ''))
  return { work: map(batches(records, o), (set) => ({ records: set })), names: inputs.names }
}

export const STOP: unique symbol = Symbol('stop')

/** Waits for `promise`, or for `signal` to abort, whichever comes first; leaves no listener behind. */
export function unlessStopped<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof STOP> {
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

export async function readAll<T>(source: AsyncIterable<T>, stop: AbortSignal): Promise<T[]> {
  const all: T[] = []
  const iterator = source[Symbol.asyncIterator]()
  for (;;) {
    const next = await unlessStopped(iterator.next(), stop)
    if (next === STOP || next.done === true) return all
    all.push(next.value)
  }
}

async function* map<T, U>(source: AsyncIterable<T>, f: (item: T) => U): AsyncGenerator<U> {
  for await (const item of source) yield f(item)
}

async function* filter<T>(source: AsyncIterable<T>, keep: (item: T) => boolean): AsyncGenerator<T> {
  for await (const item of source) if (keep(item)) yield item
}
