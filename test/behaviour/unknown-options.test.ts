// An unknown key in the options of new ForkManager(), start() or shutdown() is refused at the call
// with a TypeError naming it, and saying where it belongs or what it is probably a misspelling of.
import t from 'tap'
import { ForkManager } from '../../dist/lib/index.js'

t.test('new ForkManager(): a key of processPool, a misspelling, or nothing close', async (t) => {
  t.throws(() => new ForkManager({ maxProcs: 2, maxTasksPerWorker: 5 } as never), {
    name: 'TypeError', message: '"maxTasksPerWorker" is not a ForkManager option; did you mean processPool.maxTasksPerWorker?',
  })
  t.throws(() => new ForkManager({ maxprocs: 4 } as never), {
    name: 'TypeError', message: '"maxprocs" is not a ForkManager option; did you mean maxProcs?',
  })
  t.throws(() => new ForkManager({ frobnicate: true } as never), {
    name: 'TypeError', message: '"frobnicate" is not a ForkManager option; it takes maxProcs, timeout, killGrace, onOverlap, logger, ' +
      'processPool, handleSignals',
  })
})

t.test('start(): a misspelling, a key of the job, and a start() option put in the job', async (t) => {
  const pm = new ForkManager({ maxProcs: 1 })
  t.teardown(() => pm.close())
  await t.rejects(pm.start('x', { command: 'true' }, { timout: '1s' } as never), {
    name: 'TypeError', message: '"timout" is not a start() option; did you mean timeout?',
  })
  await t.rejects(pm.start('x', { command: 'true' }, { cwd: '/' } as never), {
    name: 'TypeError', message: '"cwd" is not a start() option; did you mean the job\'s cwd?',
  })
  await t.rejects(pm.start('x', { command: 'true', timeout: '1s' } as never), {
    name: 'TypeError', message: 'a command job has no option "timeout"; did you mean the start() option timeout?',
  })
  t.same(pm.stats(), { ...pm.stats(), queued: 0, running: 0, finished: 0 }, 'nothing was started')
})

t.test('shutdown(): a misspelling rejects, and nothing is stopped', async (t) => {
  const pm = new ForkManager({ maxProcs: 1 })
  const handle = await pm.start('sleeper', { command: 'sleep', args: ['5'] })
  await t.rejects(pm.shutdown({ sginal: 'SIGINT' } as never), {
    name: 'TypeError', message: '"sginal" is not a shutdown() option; did you mean signal?',
  })
  await t.rejects(pm.shutdown({ killGrace: 10 } as never), {
    name: 'TypeError', message: '"killGrace" is not a shutdown() option; did you mean grace?',
  })
  t.equal(pm.runningCount, 1, 'the job still runs')
  await pm.shutdown({ grace: 10 })
  t.match(await handle.result, { cancelled: true, cancelReason: 'shutdown' })
})
