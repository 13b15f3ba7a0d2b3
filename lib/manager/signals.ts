// handleSignals: SIGINT and SIGTERM shut the manager down, then end the process as they would have.

import { constants } from 'node:os'

/**
 * Installs SIGINT and SIGTERM handlers that run `shutdown(signal)` and then re-raise the signal,
 * so the process ends as it would have without them. Where the signal was ignored when the
 * process started (nohup, some runners), the exit code still says which signal it was. Returns a
 * function that removes the handlers; the first signal removes them too.
 */
export function handleSignals(shutdown: (signal: NodeJS.Signals) => Promise<void>): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>()
  const release = (): void => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
    handlers.clear()
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      release()
      void shutdown(signal).then(() => {
        process.kill(process.pid, signal)
        process.exitCode ??= 128 + constants.signals[signal]
      })
    }
    handlers.set(signal, handler)
    process.on(signal, handler)
  }
  return release
}
