// The entry point of a fresh process (isolation 'process'). argv: the worker file's URL, the ident, the attempt, the jobId (remote
// jobs only).
// It takes one { data } message over IPC, calls the worker function, sends the reply back and exits with
// the reply's exit code, as a Parallel::ForkManager child ends in finish(). It imports nothing
// heavy: every job pays for this file's start-up.

import { callWorkerFile, CallContext, loadWorkerFile, uncloneableReply, type CallReply } from '../../worker-file/call.js'
import { AbortError } from '../../errors.js'
import { blockingOutput } from '../../util/blocking-output.js'

// Whatever the worker function writes reaches the pipe before the process exits (util/blocking-output.ts).
blockingOutput()

const [url = '', ident = '', attempt = '1', jobId = null] = process.argv.slice(2)
const ctx = new CallContext(ident, Number(attempt), jobId)

// Start loading the worker file while the data message is still on its way; callWorkerFile reports a failure.
loadWorkerFile(url).catch(() => {})

// A stop is SIGTERM (a timeout or a cancel) or SIGINT (a shutdown passing Ctrl-C on). A worker function that
// never reads ctx.signal cannot react to one, so until it does the process keeps both signals'
// default action: the kernel ends it at once, even while the worker function holds the event loop (a
// JavaScript handler would have to wait for a free turn, and the stop would take the whole
// killGrace). Once the worker function reads ctx.signal, a stop fires it instead, and it has
// killGrace to return or throw.
ctx.onListen = () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => ctx.abort(new AbortError(`job ${JSON.stringify(ident)} was asked to stop (${signal})`)))
  }
}

// No parent, no job: never outlive the manager.
process.on('disconnect', () => process.exit(1))

process.once('message', (message: { data: unknown }) => {
  void callWorkerFile(url, message.data, ctx).then(reply)
})

function reply(answer: CallReply): void {
  try {
    process.send!(answer, () => process.exit(answer.exitCode))
  } catch (error) {
    // The advanced serializer throws at once for values it cannot clone.
    const failed = uncloneableReply(url, error)
    process.send!(failed, () => process.exit(failed.exitCode))
  }
}
