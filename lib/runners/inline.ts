// maxProcs 0, the serial debug mode: a worker file runs in this very process, where a debugger can reach it.

import { callWorkerFile, CallContext } from '../worker-file/call.js'
import { AbortError, jobError } from '../errors.js'
import type { WorkerSpec } from './spec.js'
import type { Execution, Outcome } from './execution.js'
import { settleOnce } from '../util/once.js'

export function startInline(spec: WorkerSpec, ident: string, attempt = 1): Execution {
  const outcome = settleOnce<Outcome>()
  const ctx = new CallContext(ident, attempt)
  void callWorkerFile(spec.url, spec.data, ctx).then((reply) =>
    outcome.settle({
      exitCode: reply.exitCode, signal: null, data: reply.ok ? reply.data : undefined, error: reply.ok ? null : reply.error,
    }))
  return {
    kind: 'inline',
    pid: process.pid,
    outcome: outcome.promise,
    stop(signal) {
      // A job that listens (or has not begun: it then never does) is told through ctx.signal and has killGrace.
      if (signal !== 'SIGKILL' && (ctx.listening || !ctx.started)) {
        ctx.abort(new AbortError(`job ${JSON.stringify(ident)} was asked to stop`))
        return
      }
      // Code running in this process cannot be killed: a job that cannot hear the stop is given up
      // at once, as a process would die by the signal, and one that heard it, after killGrace. Its
      // promise is left behind.
      const why = signal === 'SIGKILL' ? 'ignored its stop signal' : 'does not listen to ctx.signal'
      outcome.settle({
        exitCode: null,
        signal: null,
        error: jobError(AbortError, `inline job ${JSON.stringify(ident)} ${why} and was abandoned (inline code cannot be killed)`),
      })
    },
  }
}
