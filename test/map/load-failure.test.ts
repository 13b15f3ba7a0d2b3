// map() over a worker file that cannot load: one WorkerLoadError for the whole map, after at most
// a few jobs, not one job (and one identical error) per item.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { WorkerLoadError, type MapResult } from '../../dist/lib/index.js'
import { manager } from '../helpers/manager.js'

t.setTimeout(240_000)
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/** A manager of `maxProcs` 2 that counts the jobs it starts. */
function counted(t: Parameters<typeof manager>[0], options: Parameters<typeof manager>[1] = {}) {
  const pm = manager(t, { maxProcs: 2, ...options })
  const state = { jobs: 0 }
  pm.runOnStart(() => state.jobs++)
  return { pm, state }
}

const dir = t.testdir({
  'syntax.mjs': 'export default (n) => {\n  return n +\n',
  'no-default.mjs': 'export const n = 1\n',
  'throws.mjs': 'throw new RangeError("no config")\n',
})

for (const isolation of ['thread', 'process', 'process-pool'] as const) {
  t.test(`${isolation}: a worker with a syntax error ends the map with one WorkerLoadError after at most concurrency jobs`, async (t) => {
    const { pm, state } = counted(t)
    const seen: MapResult[] = []
    const error = await t.rejects(async () => {
      for await (const r of pm.map(range(300), { worker: path.join(dir, 'syntax.mjs'), isolation })) seen.push(r)
    }, {
      name: 'WorkerLoadError', code: WorkerLoadError.code,
      message: /^worker file .*syntax\.mjs failed to load: SyntaxError: .* \(line 3\)$/,
    })
    t.ok(state.jobs <= 2, `${state.jobs} jobs started for 300 items`)
    t.same(seen, [], 'no item got a result: the map failed, not its items')
    t.ok(error)
  })
}

t.test('a missing worker file: the map throws before any job starts, naming the path as given and how it resolved', async (t) => {
  const { pm, state } = counted(t)
  let pulled = 0
  let returned = false
  function* items() {
    try {
      for (;;) yield pulled++
    } finally {
      returned = true
    }
  }
  await t.rejects(pm.map(items(), { worker: './no/such/worker.js', isolation: 'thread' }).all(), {
    name: 'WorkerLoadError',
    code: 'ERR_FORKPOOL_WORKER_LOAD',
    message: `worker file "./no/such/worker.js", resolved against process.cwd() (${process.cwd()}) to ` +
      `${path.resolve('no/such/worker.js')}, ` +
        "does not exist (new URL('./worker.js', import.meta.url) names a file next to your module, wherever the program is started from)",
  })
  await t.rejects(async () => {
    for await (const r of pm.map(range(5), { worker: pathToFileURL('/no/such/worker.js') })) t.fail(`a result for ${r.index}`)
  }, {
    name: 'WorkerLoadError',
    message: /^worker file \/no\/such\/worker\.js does not exist \(a relative worker path is resolved against process\.cwd\(\)/,
  })
  t.equal(state.jobs, 0, 'no job started')
  t.equal(pulled, 0, 'the input was not read')
  t.equal(returned, false, 'a generator never started has nothing to clean up')
})

t.test('no default export, and a throw at import: the same, under the default isolation', async (t) => {
  const { pm, state } = counted(t)
  await t.rejects(pm.map(range(50), { worker: path.join(dir, 'no-default.mjs') }).all(), {
    name: 'WorkerLoadError', message: /must default-export a function/,
  })
  const thrown = await t.rejects(pm.map(range(50), { worker: path.join(dir, 'throws.mjs') }, { ordered: true }).all(),
    {
      name: 'WorkerLoadError', message: /throws\.mjs failed to load: RangeError: no config$/,
      stack: /RangeError: no config\n\s+at .*throws\.mjs:1/,
    })
  const { cause } = thrown as Error
  t.ok(cause instanceof Error, 'the import\'s error, an error again on this side as its cause')
  t.match(cause, { name: 'RangeError', message: 'no config', stack: /throws\.mjs:1/ })
  t.ok(state.jobs <= 4, `${state.jobs} jobs for two maps of 50 items`)
})

t.test('results that came before the failure are delivered, then the error', async (t) => {
  // Loads in the first three processes, then fails to: a file that changed under a running map.
  const counter = path.join(dir, 'count')
  writeFileSync(counter, '0')
  const flaky = path.join(dir, 'flaky.mjs')
  writeFileSync(flaky, `import { readFileSync, writeFileSync } from 'node:fs'
const n = Number(readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1
writeFileSync(${JSON.stringify(counter)}, String(n))
if (n > 3) throw new Error('load ' + n)
export default (x) => x * 2
`)
  const { pm } = counted(t, { maxProcs: 1 })
  const seen: MapResult[] = []
  await t.rejects(async () => {
    for await (const r of pm.map<number, number>(range(100), { worker: flaky, isolation: 'process' },
      { chunkSize: 1, ordered: true })) seen.push(r)
  }, { name: 'WorkerLoadError', message: /load 4$/ })
  t.match(seen, [{ index: 0, ok: true, data: 0 }, { index: 1, ok: true, data: 2 }, { index: 2, ok: true, data: 4 }])
  t.equal(seen.length, 3)
})

t.test('a job function\'s jobs are the caller\'s: each item gets its own result, the map goes on', async (t) => {
  const { pm } = counted(t)
  const results = await pm.map(range(3), (n) => ({ worker: path.join(dir, 'syntax.mjs'), data: n, isolation: 'thread' as const })).all()
  t.equal(results.length, 3)
  for (const r of results) t.match(r, { ok: false, exitCode: 1, error: { code: WorkerLoadError.code } })
})

t.test('start() of a missing worker file: the job fails as its import would, with no process or thread, ' +
  'also in the serial mode', async (t) => {
  const missing = path.join(t.testdir(), 'nope.mjs')
  for (const [maxProcs, kind] of [[1, 'process'], [0, 'inline']] as const) {
    const pm = manager(t, { maxProcs })
    const r = await (await pm.start('gone', { worker: missing })).result
    t.match(r, { kind, pid: null, exitCode: 1, error: { name: 'WorkerLoadError', code: WorkerLoadError.code } }, `maxProcs ${maxProcs}`)
    await pm.close()
  }
})
