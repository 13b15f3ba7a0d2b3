// Output through a pipe read late (issue #31, bug 0): a manager whose stdout (or stderr) is a pipe
// its reader has not begun to read, as in `node batch.js | gzip` or a CI log. Every byte a job
// writes must arrive, and no job's stream may break another's: a worker that writes 500,000 bytes
// and a command beside it that writes 2,000,000 (`head`, which fails on EAGAIN where a Node
// process made the shared pipe non-blocking) both end with exit code 0 and all 2,500,000 bytes
// arrive. test/behaviour/socket-output.test.ts does the same where the stream is a socket.
import t from 'tap'
import { runLateReader } from '../helpers/late-reader.js'

const WHOLE = { worker: { exitCode: 0, signal: null, error: null, data: 500_000 }, command: { exitCode: 0, signal: null, error: null } }

for (const isolation of ['process', 'process-pool', 'thread']) {
  t.test(`${isolation}: a worker's 500,000 bytes and a command's 2,000,000 beside it all reach a stdout pipe read late`, async (t) => {
    const run = await runLateReader('pipe', isolation, 1, 'forker')
    t.match(run.results, WHOLE, run.other)
    t.equal(run.bytes, 2_500_000)
  })
}

t.test('the same through stderr', async (t) => {
  const run = await runLateReader('pipe', 'process-pool', 2, 'forker')
  t.match(run.results, WHOLE, run.other)
  t.equal(run.bytes, 2_500_000)
})

t.test('commands started from the manager itself (spawner: false), beside a fresh worker process', async (t) => {
  const run = await runLateReader('pipe', 'process', 1, 'direct')
  t.match(run.results, WHOLE, run.other)
  t.equal(run.bytes, 2_500_000)
})

// The Node spawner's spawn of the command clears O_NONBLOCK on the stream it hands on (libuv does
// for fds 0-2 of every child), so before the fix this case failed only when the worker's stream
// was set up after the command had started: it covers that path, and cannot force the order.
t.test('commands started by a Node spawner (no native forker), beside a reused worker process', async (t) => {
  const run = await runLateReader('pipe', 'process-pool', 1, 'node-spawner')
  t.match(run.results, WHOLE, run.other)
  t.equal(run.bytes, 2_500_000)
})
