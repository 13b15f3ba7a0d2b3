// How many argument sets one command line takes: one (the default), N (-n, -N), or (-m, -X) as
// many as fit (at most -n/-N's N), the last line spread evenly over the job slots, as GNU parallel does.

import type { InputRecord } from './inputs.js'

export type BatchOptions = { maxArgs: number | undefined; nArgs: number | undefined; multi: 'm' | 'X' | undefined; jobs: number }

/** The argument sets of each job. -n0 and -N0 give each job one set, which the command line does not show. */
export async function* batches(records: AsyncIterable<InputRecord>, o: BatchOptions): AsyncGenerator<InputRecord[]> {
  const size = o.nArgs === 0 || o.maxArgs === 0 ? 1 : o.nArgs ?? o.maxArgs
  if (o.multi !== undefined) {
    yield* spreadLines(records, size ?? Infinity, o.jobs)
    return
  }
  if (size === undefined || size === 1) {
    for await (const record of records) yield [record]
    return
  }
  let batch: InputRecord[] = []
  for await (const record of records) {
    batch.push(record)
    if (batch.length === size) {
      yield batch
      batch = []
    }
  }
  if (batch.length > 0) yield batch
}

/**
 * -m/-X: each line takes up to `max` argument sets. The line being filled when the input ends is
 * spread evenly over the job slots (GNU parallel: `seq 20 | parallel -j3 -n5 -m` gives 5, 5, 5,
 * then 2, 2, 1), so that without -n every argument is spread, and jobs start while the input is read.
 */
async function* spreadLines(records: AsyncIterable<InputRecord>, max: number, jobs: number): AsyncGenerator<InputRecord[]> {
  const iterator = records[Symbol.asyncIterator]()
  let next = await iterator.next()
  while (next.done !== true) {
    const line: InputRecord[] = []
    while (next.done !== true && line.length < max) {
      line.push(next.value)
      next = await iterator.next()
    }
    if (next.done !== true) {
      yield line
      continue
    }
    const per = Math.ceil(line.length / jobs)
    for (let i = 0; i < line.length; i += per) yield line.slice(i, i + per)
  }
}
