// $? as sh gives it, which --halt's exit status uses.
import t from 'tap'
import { shellStatus, signalNumber } from '../../dist/lib/cli/job-status.js'

t.test('shellStatus: the exit code, 128 + the signal number, 127 for a program that never ran', async (t) => {
  const base = { exitCode: null, signal: null }
  t.equal(shellStatus({ ...base, exitCode: 3 } as never), 3)
  t.equal(shellStatus({ ...base, signal: 'SIGTERM' } as never), 143)
  t.equal(shellStatus(base as never), 127)
  t.equal(signalNumber(null), 0)
  t.equal(signalNumber('SIGKILL'), 9)
})
