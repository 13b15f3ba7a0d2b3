// test/behaviour/piped-output.test.ts's case where the manager's stdout is a socket (the pair
// Node's child_process makes for stdio 'pipe'; systemd's journal), which cannot be opened afresh
// for each job: every byte a worker writes still arrives, and a command beside it still ends well.
import t from 'tap'
import { runLateReader } from '../helpers/late-reader.js'

const WHOLE = { worker: { exitCode: 0, signal: null, error: null, data: 500_000 }, command: { exitCode: 0, signal: null, error: null } }

for (const isolation of ['process', 'process-pool', 'thread']) {
  t.test(`${isolation}: a worker's 500,000 bytes and a command's 2,000,000 beside it all reach a stdout socket read late`, async (t) => {
    const run = await runLateReader('socket', isolation, 1, 'forker')
    t.match(run.results, WHOLE, run.other)
    t.equal(run.bytes, 2_500_000)
  })
}
