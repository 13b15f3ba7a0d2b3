// maxProcs 0, the serial debug mode: a worker file runs in this very process, where a debugger can reach it.

import { callWorker, CallContext } from '../worker/call.js'
import { AbortError, jobError } from '../errors.js'
import type { WorkerSpec } from './spec.js'
import type { Execution, Outcome } from './execution.js'
import { settleOnce } from '../util/once.js'

export function startInline(spec: WorkerSpec, ident: string, attempt = 1): Execution {
  const outcome = settleOnce<Outcome>()
  const ctx = new CallContext(ident, attempt)
  void callWorker(spec.url, spec.data, ctx).then((reply) =>
    outcome.settle({ exitCode: reply.exitCode, signal: null, data: reply.ok ? reply.data : undefined, error: reply.ok ? null : reply.error }))
  return {
    kind: 'inline',
    pid: process.pid,
    outcome: outcome.promise,
    stop(signal) {
      if (signal !== 'SIGKILL') {
        ctx.abort(new AbortError(`job ${JSON.stringify(ident)} was asked to stop`))
        return
      }
      // Code running in this process cannot be killed; the job is given up and its promise left behind.
      outcome.settle({
        exitCode: null,
        signal: null,
        error: jobError(AbortError, `inline job ${JSON.stringify(ident)} ignored its stop signal and was abandoned (inline code cannot be killed)`),
      })
    },
  }
}
