import t from 'tap'
import type { JobHandle, JobResult, MapResult, WorkerJob } from '../../dist/lib/index.js'
import { mapItems } from '../../dist/lib/map/map.js'
import type { MapHost } from '../../dist/lib/map/types.js'
import type { Backend } from '../../dist/lib/runners/backend.js'
import { DataTooLargeError } from '../../dist/lib/index.js'
import type { WorkerSpec } from '../../dist/lib/runners/spec.js'
import { startInline } from '../../dist/lib/runners/inline.js'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'
import { sleep } from '../helpers/wait.js'

const echo = worker('echo-data')

/**
 * A backend with a size limit, as redisBackend's maxDataBytes, that runs what it accepts in this
 * process; it counts what check() refused and the items of each chunk it sent.
 */
function limitedBackend(limit: number) {
  const seen = { refused: 0, sent: [] as number[] }
  const backend: Backend = {
    chunkTargetMs: 50,
    check(spec) {
      const bytes = JSON.stringify((spec as WorkerSpec).data).length
      if (bytes > limit) {
        seen.refused++
        throw new DataTooLargeError(`its data is ${bytes} bytes, over ${limit}`, bytes, limit)
      }
    },
    launch(spec, ident, attempt) {
      seen.sent.push(((spec as WorkerSpec).data as { items: unknown[] }).items.length)
      return startInline(spec as WorkerSpec, ident, attempt)
    },
    close: async () => {},
  }
  return { backend, seen }
}

const wholeRun = (results: Array<MapResult<unknown, string>>, items: string[]): boolean =>
  results.length === items.length && results.every((r, i) => r.index === i && r.ok && r.data === items[i])

t.test('auto chunks over a backend\'s size limit are split, not failed: every item once, in order, and later chunks fit', async (t) => {
  const { backend, seen } = limitedBackend(50_000)
  const pm = manager(t, { maxProcs: 2, backend })
  // 20,000 items of ~100 bytes: auto chunks grow to 10,000 items, 1 MB, twenty times the limit.
  const items = Array.from({ length: 20_000 }, (_, i) => `${i}:`.padEnd(100, 'x'))
  const results = await pm.map<string, string>(items, { worker: echo }, { ordered: true }).all()
  t.ok(wholeRun(results, items), 'every item ok with its own data, in input order')
  t.ok(seen.refused >= 1, `a chunk was refused (${seen.refused})`)
  t.ok(seen.refused <= 4, `the sizer learned from the refusals (${seen.refused}, not one per chunk)`)
  t.ok(Math.max(...seen.sent) <= 500, `no chunk sent past the limit's ~490 items (largest ${Math.max(...seen.sent)})`)
  t.equal(seen.sent.reduce((a, b) => a + b, 0), items.length, 'each item sent once')
})

t.test('a fixed chunkSize over the limit is split too; uneven items; an item too big alone fails by itself', async (t) => {
  const { backend, seen } = limitedBackend(20_000)
  const pm = manager(t, { maxProcs: 2, backend })
  // Mostly small items, some 100 times bigger: a chunk sized by the first refusal can still be too big.
  const items = Array.from({ length: 3000 }, (_, i) => (i % 97 === 0 ? `${i}:`.padEnd(5000, 'y') : `${i}:`.padEnd(50, 'x')))
  items[1234] = 'z'.repeat(30_000)
  const results = await pm.map<string, string>(items, { worker: echo }, { ordered: true, chunkSize: 1000 }).all()
  t.equal(results.length, items.length)
  const failed = results.filter((r) => !r.ok)
  t.same(failed.map((r) => r.index), [1234], 'only the item too big alone failed')
  t.match(failed[0]!.error, { name: 'DataTooLargeError', code: 'ERR_FORKPOOL_DATA_TOO_LARGE', message: /over 20000/ })
  t.equal(failed[0]!.exitCode, null)
  items.splice(1234, 1)
  results.splice(1234, 1)
  t.ok(results.every((r, i) => r.ok && r.index === (i < 1234 ? i : i + 1) && r.data === items[i]), 'the others ok, each with its own data')
  t.ok(seen.refused >= 2, `refused more than once (${seen.refused}): uneven items`)
})

/**
 * A MapHost (what map() needs of a manager) that echoes each chunk's items after `ms`, and refuses a
 * chunk of several items holding 'big' ones, `refuseMs` after start(), as a backend's size check
 * would: 'big' counts 10 bytes, anything else 1, against a limit of 25. It counts the chunks in
 * flight. `onRefuse` runs at each refusal.
 */
function echoHost(ms: number, refuseMs: number, onRefuse = (): void => {}) {
  const seen = { inFlight: 0, mostInFlight: 0, refused: 0 }
  const host: MapHost = {
    maxProcs: 4,
    async start(_ident, job, options) {
      const items = ((job as WorkerJob).data as { items: string[] }).items
      const bytes = items.reduce((sum, item) => sum + (item === 'big' ? 10 : 1), 0)
      if (bytes > 25 && items.length > 1) {
        await sleep(refuseMs)
        seen.refused++
        onRefuse()
        throw new DataTooLargeError(`${bytes} bytes`, bytes, 25)
      }
      seen.mostInFlight = Math.max(seen.mostInFlight, ++seen.inFlight)
      await sleep(ms)
      seen.inFlight--
      const stopped = options?.signal?.aborted === true
      const data = stopped ? undefined : { data: items, failures: [], ms: 1 }
      const result = {
        ok: !stopped, exitCode: stopped ? null : 0, error: stopped ? { name: 'AbortError', message: 'stopped' } : null, data,
        timedOut: false, cancelled: stopped,
      } as unknown as JobResult
      return { result: Promise.resolve(result) } as JobHandle
    },
  }
  return { host, seen }
}

t.test('a chunk refused after the other lanes ended (the input ran out): its pieces run on as many lanes as the map has', async (t) => {
  const { host, seen } = echoHost(5, 60)
  const items = [...Array.from({ length: 30 }, () => 'small'), ...Array.from({ length: 10 }, () => 'big')]
  const results = await mapItems<string, string>(host, items, { worker: echo }, { chunkSize: 10, concurrency: 4, ordered: true }).all()
  t.same(results.map((r) => [r.index, r.ok, r.data]), items.map((item, i) => [i, true, item]), 'every item once, ok, in order')
  t.equal(seen.refused, 1)
  // The refused chunk's 100 bytes fit in pieces of 2 items (fit at 80%): five pieces, on up to four lanes.
  t.equal(seen.mostInFlight, 4, 'the given-back pieces ran side by side, not one by one on the lane that had them')
})

t.test('a stop while pieces wait to be taken again: they still get results, as stopped; none lost', async (t) => {
  const stop = new AbortController()
  const { host } = echoHost(5, 20, () => stop.abort(new Error('enough')))
  const items = [...Array.from({ length: 10 }, () => 'small'), ...Array.from({ length: 10 }, () => 'big')]
  const results = await mapItems<string, string>(host, items, { worker: echo }, {
    chunkSize: 10, concurrency: 2, ordered: true, signal: stop.signal,
  }).all()
  t.equal(results.length, items.length, 'one result per item')
  t.same(results.slice(0, 10).map((r) => r.ok), Array(10).fill(true), 'the chunk that fitted ran')
  t.same(results.slice(10).map((r) => [r.index, r.ok, r.cancelled]), items.slice(10).map((_, i) => [10 + i, false, true]),
    'the refused items: stopped, each once')
})

t.test('ordered, the window full of later results: the given-back items, which the next result waits for, are still taken', async (t) => {
  const { host, seen } = echoHost(5, 20)
  // Window: 2 rounds of 2 lanes of 10 items. Items 0-9 are refused at 20 ms; by then 10-39 have run, and wait to be taken behind them.
  const items = [...Array.from({ length: 10 }, () => 'big'), ...Array.from({ length: 50 }, () => 'small')]
  const results = await mapItems<string, string>(host, items, { worker: echo }, { chunkSize: 10, concurrency: 2, ordered: true }).all()
  t.same(results.map((r) => [r.index, r.ok]), items.map((_, i) => [i, true]), 'every item once, ok, in order')
  t.equal(seen.refused, 1)
})
