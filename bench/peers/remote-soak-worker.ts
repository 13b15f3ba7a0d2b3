// The remote soak's worker (bench/remote-soak.ts): before anything else each run appends its key
// to the file FORKPOOL_SOAK_RUNS names (set in the agents' environment), so the soak counts the
// runs of every job and map() item itself, apart from what the results say; then it does what
// order.mode asks.
import { appendFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { finish, type WorkerContext } from '../../lib/index.js'

export interface SoakOrder {
  key: string
  mode: 'ok' | 'slow' | 'throw' | 'finish' | 'hang' | 'hang-deaf'
  ms?: number
  code?: number
  value?: unknown
}

export default async function soakWorker(order: SoakOrder, ctx: WorkerContext): Promise<unknown> {
  appendFileSync(process.env.FORKPOOL_SOAK_RUNS!, `${order.key}\n`)
  switch (order.mode) {
    case 'ok':
      return order.value
    case 'slow':
      await sleep(order.ms ?? 500, undefined, { signal: ctx.signal })
      return order.value
    case 'throw':
      throw new RangeError(`asked to throw in ${ctx.ident}`)
    case 'finish':
      return finish(order.code ?? 0, order.value)
    case 'hang':
      await sleep(600_000, undefined, { signal: ctx.signal })
      return 'woke up'
    case 'hang-deaf':
      return new Promise((resolve) => setTimeout(resolve, 600_000))
  }
}
