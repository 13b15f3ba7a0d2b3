// The entry point of a fresh worker process (isolation 'process'). argv: the worker file's URL, the ident, the attempt, the jobId (remote jobs only).
// It takes one { data } message over IPC, calls the worker, sends the reply back and exits with
// the reply's exit code, as a Parallel::ForkManager child ends in finish(). It imports nothing
// heavy: every job pays for this file's start-up.

import { callWorker, CallContext, loadWorker, uncloneableReply, type WorkerReply } from '../../worker/call.js'
import { AbortError } from '../../errors.js'
import { blockingOutput } from '../../util/blocking-output.js'

// Whatever the worker writes reaches the pipe before the process exits (util/blocking-output.ts).
blockingOutput()

const [url = '', ident = '', attempt = '1', jobId = null] = process.argv.slice(2)
const ctx = new CallContext(ident, Number(attempt), jobId)

// Start loading the worker file while the data message is still on its way; callWorker reports a failure.
loadWorker(url).catch(() => {})

// SIGTERM (a timeout or a cancel) or SIGINT (a shutdown passing Ctrl-C on) fires ctx.signal so the
// worker can stop cleanly. A worker that never looked at ctx.signal cannot react to it, so it dies
// by the signal at once.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (ctx.listening) {
      ctx.abort(new AbortError(`job ${JSON.stringify(ident)} was asked to stop (${signal})`))
      return
    }
    /* c8 ignore next 2 -- the process dies here, before coverage is written (see dieBySignal) */
    dieBySignal(signal)
  })
}

// The process dies by the re-raised signal, before coverage can be written, so the rest of the
// handler above cannot show as covered either; test/runners/process/runner.test.ts shows the effect
// ("a timeout kills a worker that does not listen at once").
/* c8 ignore start */
function dieBySignal(signal: NodeJS.Signals): void {
  process.removeAllListeners(signal)
  process.kill(process.pid, signal)
}
/* c8 ignore stop */

// No parent, no job: never outlive the manager.
process.on('disconnect', () => process.exit(1))

process.once('message', (message: { data: unknown }) => {
  void callWorker(url, message.data, ctx).then(reply)
})

function reply(answer: WorkerReply): void {
  try {
    process.send!(answer, () => process.exit(answer.exitCode))
  } catch (error) {
    // The advanced serializer throws at once for values it cannot clone.
    const failed = uncloneableReply(url, error)
    process.send!(failed, () => process.exit(failed.exitCode))
  }
}
