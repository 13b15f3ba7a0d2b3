// The quick soak: a few hundred jobs with random faults through one manager (the full one is `npm run soak`).
import t, { type Test } from 'tap'
import { formatReport, LEFT_BEHIND, soak, type SoakOptions } from '../../dist/bench/soak.js'

// Every worker process here carries tap's coverage hook, which makes each start-up and exit slower.
t.setTimeout(240_000)

const seed = Number(process.env.FORKPOOL_SOAK_SEED ?? 7)

/** Runs 150 jobs and checks that each settled once as predicted, and that nothing is left behind. */
async function soakClean(t: Test, options: Omit<SoakOptions, 'seed' | 'jobs'> = {}): Promise<void> {
  const report = await soak({ seed, jobs: 150, ...options })
  t.comment(`replay with FORKPOOL_SOAK_SEED=${seed}\n${formatReport(report)}`)
  t.same(report.mismatches, [], 'results as their faults predict (or, in a shared process, a neighbour ended them)')
  t.equal(report.settledTwice, 0, 'no job settled twice')
  t.equal(report.unsettled, 0, 'every job settled')
  t.ok(report.countsMatch, "the manager's counts match")
  t.same(report.leftProcesses, [], 'no process of the run is left')
  t.same(report.zombies, [], 'no zombie')
  t.ok(report.fdsEnd - report.fdsModuleFiles <= report.fdsStart + LEFT_BEHIND.fds,
    `open fds ${report.fdsStart} → ${report.fdsEnd}, ${report.fdsModuleFiles} of them module files`)
  t.ok(report.rssEndMb <= report.rssStartMb + LEFT_BEHIND.rssMb,
    `parent RSS ${report.rssStartMb} → ${report.rssEndMb} MB (at most ${LEFT_BEHIND.rssMb} MB more)`)
  if (options.killSpawnerEvery) {
    t.ok(report.spawnersKilled > 0,
    `${report.spawnersKilled} spawners killed, ${report.spawnerLosses} jobs lost with them`)
  }
  t.equal(report.ok, true)
}

t.test('every job settles once as its fault predicts, and nothing is left behind', (t) => soakClean(t))

t.test('with spawner processes killed at random: every job settles once, as predicted or lost with its spawner, and nothing is left', (t) =>
  soakClean(t, { kinds: ['command'], killSpawnerEvery: 15 }))

t.test('with shared pool processes too: every job settles once, as predicted or by a neighbour, and nothing is left', (t) =>
  soakClean(t, { kinds: ['process-pool'], poolConcurrency: 3 }))

t.test('under load (busy processes beside it, the manager event loop stalled again and again): every job settles once as predicted, and ' +
  'nothing is left', (t) =>
  soakClean(t, { kinds: ['command'], load: 2, stallMs: 200 }))
