// The spawners start with the process's first command job, not with a manager: a manager of
// threads or pooled workers never pays two Node start-ups for them (process-noop, map-tiny).
import t from 'tap'
import { availableParallelism } from 'node:os'
import { processSpawners } from '../../../dist/lib/runners/spawner/spawners.js'
import { manager } from '../../helpers/manager.js'

t.setTimeout(120_000)
const WORKER = new URL('../../../dist/workers/square.js', import.meta.url).pathname

t.test('no spawner until the first command; then the default two', async (t) => {
  const pm = manager(t, { maxProcs: 2 })
  const worker = await (await pm.start('w', { worker: WORKER, data: 3, isolation: 'thread' })).result
  t.equal(worker.data, 9)
  t.same(processSpawners().pids, [], 'a manager and a worker job started none')
  const command = await (await pm.start('c', { command: 'true' })).result
  t.equal(command.exitCode, 0)
  t.equal(processSpawners().pids.length, Math.min(2, availableParallelism()), 'the first command started them')
})
