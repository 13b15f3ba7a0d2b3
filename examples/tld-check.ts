// The seed's program: look NAME up in every top-level domain. The column did it with
// AnyEvent::DNS, "861 domains looked up in 717 seconds" one at a time and "in 54 seconds"
// concurrently, and left "Parallel::ForkManager and Coro versions" as an exercise. Here it is
// with forkpool, four ways, each with Node's real resolver (workers/tld-lookup.ts):
//   process  a fresh Node process per lookup, 50 at a time (the Parallel::ForkManager way)
//   threads  4 worker threads, 64 lookups at once on each
//   pool     4 reused worker processes, 64 lookups at once in each
//   map      pm.map() over the names, on those threads
// No network is reachable here, so it starts a DNS server on loopback that answers every query
// after --delay ms (default 830: the seed's 717 s / 861), and NAME exists only in the TLDs of
// --found (default: com,org,net). The TLDs come from the `tlds` package.
//
//   node dist/examples/tld-check.js NAME [--ways process,threads,pool,map] [--delay 830] [--limit N] [--found com,org]

import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { ForkManager, type ForkManagerOptions } from '../lib/index.js'
import type { Lookup, LookupResult } from '../workers/tld-lookup.js'
import { SEED_DELAY_MS, startDnsServer } from './tld/server.js'

const WAYS = ['process', 'threads', 'pool', 'map'] as const
type Way = (typeof WAYS)[number]
/** Lookups in flight: the process way at 50 (a Node start each), the others at 256 on 4 workers. */
const IN_FLIGHT = 256
const PER_WORKER = 64
const worker = new URL('../workers/tld-lookup.js', import.meta.url)

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ways: { type: 'string', default: WAYS.join(',') },
    delay: { type: 'string', default: String(SEED_DELAY_MS) },
    limit: { type: 'string' },
    found: { type: 'string', default: 'com,org,net' },
  },
})
const name = positionals[0]
if (name === undefined || positionals.length > 1) {
  console.error('usage: tld-check NAME [--ways process,threads,pool,map] [--delay MS] [--limit N] [--found TLD,TLD]')
  process.exit(2)
}
const ways = values.ways.split(',').map((way) => {
  if (!(WAYS as readonly string[]).includes(way)) throw new TypeError(`--ways: ${JSON.stringify(way)} is not one of ${WAYS.join(', ')}`)
  return way as Way
})
const delayMs = Number(values.delay)
if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new RangeError(`--delay must be a number of ms, got ${JSON.stringify(values.delay)}`)
// tlds is a JSON array (its package has no ES module entry).
const allTlds = createRequire(import.meta.url)('tlds') as string[]
const tlds = values.limit === undefined ? allTlds : allTlds.slice(0, Number(values.limit))
const found = new Set(values.found.split(','))

const server = await startDnsServer({ delayMs, exists: (host) => found.has(host.slice(host.lastIndexOf('.') + 1)) })
const lookups: Lookup[] = tlds.map((tld) => ({ name: `${name}.${tld}`, server: server.address }))

function managerFor(way: Way): ForkManager {
  const options: ForkManagerOptions = way === 'process'
    ? { maxProcs: 50 }
    : { maxProcs: IN_FLIGHT, threadPool: { concurrentTasksPerWorker: PER_WORKER }, processPool: { concurrentTasksPerWorker: PER_WORKER } }
  return new ForkManager(options)
}

/** Runs every lookup one way; the names that exist, and how many lookups failed. */
async function check(way: Way): Promise<{ existing: string[]; failed: number; why: string | undefined }> {
  await using pm = managerFor(way)
  const answers: Array<LookupResult | undefined> = []
  let why: string | undefined
  const take = (r: { ok: boolean; data: unknown; error: { message: string } | null; exitCode: number | null }): void => {
    answers.push(r.ok ? (r.data as LookupResult) : undefined)
    if (!r.ok) why ??= r.error?.message ?? `exit code ${r.exitCode}`
  }
  if (way === 'map') {
    for await (const r of pm.map(lookups, { worker, isolation: 'thread' }, { chunkSize: 1 })) take(r)
  } else {
    const isolation = way === 'threads' ? 'thread' : way === 'pool' ? 'process-pool' : 'process'
    pm.runOnFinish(take)
    for (const lookup of lookups) await pm.start(lookup.name, { worker, data: lookup, isolation })
    await pm.waitAllChildren()
  }
  const existing = answers.flatMap((a) => (a !== undefined && a.addresses.length > 0 ? [a.name] : [])).sort()
  return { existing, failed: answers.filter((a) => a === undefined).length, why }
}

console.log(`${name}: ${lookups.length} TLDs, each answer after ${delayMs} ms`)
console.log(`  one at a time it would take ${((lookups.length * delayMs) / 1000).toFixed(1)} seconds`)
for (const way of ways) {
  const began = performance.now()
  const { existing, failed, why } = await check(way)
  const seconds = ((performance.now() - began) / 1000).toFixed(1)
  const failures = failed > 0 ? `; ${failed} failed (the first: ${why})` : ''
  console.log(`${way}: ${lookups.length} domains looked up in ${seconds} seconds; found: ${existing.join(' ') || 'none'}${failures}`)
}
await server.close()
