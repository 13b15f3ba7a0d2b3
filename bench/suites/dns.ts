// dns: the seed's workload. 1,000 lookups with Node's resolver (workers/tld-lookup.ts) against a
// DNS server on loopback that answers each after 50 ms (examples/tld/server.ts): one at a time
// (a sample of 20, extrapolated), forkpool with a fresh process per lookup at cap 50 (a sample of
// two waves, extrapolated: 1,000 took about 2 minutes a round, which kept the suite from ever
// finishing a measured round; it is the baseline, not what the target is about), forkpool threads and the process pool with 256 in flight
// on 4 workers, and raw piscina the same way.
// Ideal: ceil(1000 / 256) × 50 ms = 200 ms (the fresh processes' own, at 50 in flight, is 1,000).
// The pools are warmed with one untimed wave of 256 lookups: the figure is the lookups, not the
// threads' or processes' start-up, which the thread-noop and process-noop suites time.
import { ForkManager, type ForkManagerOptions } from '../../lib/index.js'
import type { DnsServer } from '../../examples/tld/server.js'
import type { Lookup, LookupResult } from '../../workers/tld-lookup.js'
import type { Suite, SuiteTarget } from '../suite.js'
import { need, needAll, timeMs, workerFile } from '../support.js'

const DELAY_MS = 50
const IN_FLIGHT = 256
const WORKERS = 4
const PROCESS_CAP = 50
const SAMPLE = 20
/** The fresh-process contender's lookups: whole waves of PROCESS_CAP, so the extrapolation scales waves. */
const processSample = (quick: boolean): number => (quick ? 1 : 2) * PROCESS_CAP
const LOOKUP = workerFile('tld-lookup')
const lookups = (quick: boolean): number => (quick ? 100 : 1_000)
export const ideal = (quick: boolean): number => Math.ceil(lookups(quick) / IN_FLIGHT) * DELAY_MS

/** Every 10th name exists, so that the answers are checked both ways. */
const exists = (name: string): boolean => Number(name.slice(1, name.indexOf('.'))) % 10 === 0
const orders = (server: DnsServer, n: number): Lookup[] => Array.from({ length: n },
  (_, i) => ({ name: `n${i}.test`, server: server.address }))
const right = (r: LookupResult | undefined): boolean => r !== undefined && (r.addresses.length > 0) === exists(r.name)

async function forkpool(
  server: DnsServer, n: number, options: ForkManagerOptions, isolation: 'thread' | 'process-pool' | 'process'
): Promise<number> {
  const pm = new ForkManager(options)
  let ok = 0
  let wrong: unknown
  pm.runOnFinish((r) => {
    if (r.ok && right(r.data as LookupResult)) ok++
    else wrong ??= r.error ?? r.data
  })
  if (isolation !== 'process') {
    // The workers up and the worker file loaded, untimed: the figure is the lookups, not start-up.
    for (const lookup of orders(server, IN_FLIGHT)) await pm.start(lookup.name, { worker: LOOKUP, data: lookup, isolation })
    await pm.waitAllChildren()
    need(ok === IN_FLIGHT, `${isolation} warm-up: ${ok} of ${IN_FLIGHT} lookups right; the first wrong: ${JSON.stringify(wrong)}`)
    ok = 0
  }
  const ms = await timeMs(async () => {
    for (const lookup of orders(server, n)) await pm.start(lookup.name, { worker: LOOKUP, data: lookup, isolation })
    await pm.waitAllChildren()
  })
  await pm.close()
  need(ok === n, `${isolation}: ${ok} of ${n} lookups right; the first wrong: ${JSON.stringify(wrong)}`)
  return ms
}

async function piscina(server: DnsServer, n: number): Promise<number> {
  const { Piscina } = await import('piscina')
  // Set up as piscina documents it for asynchronous tasks: several per thread, async atomics.
  const pool = new Piscina({
    filename: LOOKUP.href, minThreads: WORKERS, maxThreads: WORKERS, concurrentTasksPerWorker: IN_FLIGHT / WORKERS, atomics: 'async',
  })
  await Promise.all(orders(server, IN_FLIGHT).map((lookup) => pool.run(lookup))) // warm, untimed, as forkpool's
  let ok = 0
  const ms = await timeMs(async () => {
    await Promise.all(orders(server, n).map((lookup) => pool.run(lookup).then((r: LookupResult) => {
      if (right(r)) ok++
    })))
  })
  await pool.close()
  needAll('piscina', ok, n)
  return ms
}

/** A sample of SAMPLE lookups, each awaited before the next, extrapolated to n. */
async function oneAtATime(server: DnsServer, n: number): Promise<number> {
  const { default: lookup } = (await import(LOOKUP.href)) as { default: (order: Lookup) => Promise<LookupResult> }
  let ok = 0
  const ms = await timeMs(async () => {
    for (const order of orders(server, SAMPLE)) if (right(await lookup(order))) ok++
  })
  needAll('one-at-a-time', ok, SAMPLE)
  return (ms * n) / SAMPLE
}

const pooled = (settings: 'threadPool' | 'processPool'): ForkManagerOptions => ({
  maxProcs: IN_FLIGHT, [settings]: { concurrentTasksPerWorker: IN_FLIGHT / WORKERS },
})

const runs: Record<string, (server: DnsServer, n: number, quick: boolean) => Promise<number>> = {
  forkpool: (server, n) => forkpool(server, n, pooled('threadPool'), 'thread'),
  'forkpool-pool': (server, n) => forkpool(server, n, pooled('processPool'), 'process-pool'),
  'forkpool-process': async (server, n, quick) => {
    const sample = processSample(quick)
    return ((await forkpool(server, sample, { maxProcs: PROCESS_CAP }, 'process')) * n) / sample
  },
  piscina,
  'one-at-a-time': oneAtATime,
}

/** How many queries the server must have answered for `contender`: the sampled ones answer only their sample. */
function answers(contender: string, quick: boolean): number {
  if (contender === 'one-at-a-time') return SAMPLE
  if (contender === 'forkpool-process') return processSample(quick)
  return lookups(quick)
}

/** Contender `name`'s wall time at most `limit` times the ideal. */
function overIdeal(name: string, limit: number): SuiteTarget {
  return {
    describe: `${name} wall/ideal ≤ ${limit.toFixed(2)}`,
    check: (m, quick) => m[name]! / ideal(quick) <= limit,
    actual: (m, quick) => (m[name]! / ideal(quick)).toFixed(2),
  }
}

const suite: Suite = {
  name: 'dns',
  title: `1,000 DNS lookups (quick: 100), answers after ${DELAY_MS} ms on loopback: threads (forkpool), process pool and piscina ` +
    `with ${IN_FLIGHT} in flight on ${WORKERS} workers; fresh processes at cap ${PROCESS_CAP} ` +
      `(${processSample(false)} sampled, quick: ${processSample(true)}); one at a time (${SAMPLE} sampled)`,
  unit: 'ms',
  better: 'lower',
  contenders: Object.keys(runs),
  ideal,
  async run(contender, quick) {
    // Imported here, not at the top: loading the suite list stays cheap (see index.ts).
    const { startDnsServer } = await import('../../examples/tld/server.js')
    const server = await startDnsServer({ delayMs: DELAY_MS, exists })
    try {
      const ms = await runs[contender]!(server, lookups(quick), quick)
      need(server.answered >= answers(contender, quick), `${contender}: the server answered ${server.answered} queries`)
      return ms
    } finally {
      await server.close()
    }
  },
  targets: [overIdeal('forkpool', 1.3), overIdeal('forkpool-pool', 1.3)],
}

export default suite
