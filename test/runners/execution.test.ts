// lib/runners/execution.ts: the contract between the manager and a runner.
import t from 'tap'
import { failedExecution } from '../../dist/lib/runners/execution.js'

t.test('a failed execution has already ended with its error, and a stop of it changes nothing', async (t) => {
  const error = { name: 'Error', message: 'spawn E2BIG' }
  const execution = failedExecution('command', error, 127)
  t.match(execution, { kind: 'command', pid: null })
  execution.stop('SIGKILL')
  t.same(await execution.outcome, { exitCode: 127, signal: null, error }, 'the outcome it was made with')
  t.same(await failedExecution('thread', error).outcome, { exitCode: null, signal: null, error }, 'exitCode null unless given')
})
