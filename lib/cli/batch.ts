// How many argument sets one command line takes: one (the default), N (-n, -N), or (-m, -X) as
// many as spread them all evenly over the job slots, as GNU parallel does once it knows them all.

import type { InputRecord } from './inputs.js'

export type BatchOptions = { maxArgs: number | undefined; nArgs: number | undefined; multi: 'm' | 'X' | undefined; jobs: number }

/** The argument sets of each job. -N0 gives each job one set, which the command line does not show. */
export async function* batches(records: AsyncIterable<InputRecord>, o: BatchOptions): AsyncGenerator<InputRecord[]> {
  const size = o.nArgs === 0 ? 1 : o.nArgs ?? o.maxArgs
  if (o.multi !== undefined) {
    const all: InputRecord[] = []
    for await (const record of records) all.push(record)
    const per = Math.max(1, Math.ceil(all.length / o.jobs))
    for (let i = 0; i < all.length; i += per) yield all.slice(i, i + per)
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
