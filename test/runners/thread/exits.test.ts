import t from 'tap'
import { EventEmitter } from 'node:events'
import { exitRecords, recordedExit, recordExit, recordExitsOf, type Exitable } from '../../../dist/lib/runners/thread/exits.js'

t.test('a recorded exit is read back for its task only', async (t) => {
  const records = exitRecords(8)
  t.equal(records.length, 16, 'two numbers per slot')
  t.equal(recordedExit(records, 3), undefined, 'nothing recorded yet')
  recordExit(records, [3, 4], 6)
  t.equal(recordedExit(records, 3), 6)
  t.equal(recordedExit(records, 4), 6)
  t.equal(recordedExit(records, 11), undefined, 'another task in the same slot did not exit')
  recordExit(records, [11], 0)
  t.equal(recordedExit(records, 11), 0, 'a later task takes the slot over')
  t.equal(recordedExit(records, 3), undefined)
})

/** A stand-in for a thread's process: exit() keeps the code it would exit with instead of exiting. */
class FakeProcess extends EventEmitter implements Exitable {
  readonly exits: Array<number | string | null | undefined> = []
  #code: number | string | null | undefined

  get exitCode() {
    return this.#code
  }

  set exitCode(value) {
    // Node checks the code as it is set: process.exit('x') throws.
    if (typeof value === 'string' && !/^\d+$/.test(value)) throw new TypeError(`bad exit code ${value}`)
    this.#code = value
  }

  exit(...args: unknown[]): never {
    // The real exit() is called without a code: process.exitCode holds it.
    this.exits.push(args.length === 0 ? this.exitCode : 'called with a code')
    return undefined as never
  }
}

function fakeProcess() {
  const proc = new FakeProcess()
  return { proc, exits: proc.exits }
}

t.test('process.exit() records each running task with the code, as Node computes it, then exits', async (t) => {
  const { proc, exits } = fakeProcess()
  const records = exitRecords(8)
  const running = new Map([[1, 'a'], [2, 'b']])
  recordExitsOf(proc, records, running)

  proc.exit(6)
  t.same([recordedExit(records, 1), recordedExit(records, 2), exits], [6, 6, [6]])

  running.set(3, 'c')
  proc.exitCode = 4
  proc.exit()
  t.equal(recordedExit(records, 3), 4, 'no argument: process.exitCode')

  proc.exit(undefined)
  t.equal(recordedExit(records, 3), 0, 'an argument, even undefined, replaces process.exitCode')

  proc.exit('7')
  t.equal(recordedExit(records, 3), 7, 'a code given as a string of digits')

  t.throws(() => proc.exit('seven'), TypeError)
  t.equal(recordedExit(records, 3), 7, 'a bad code is refused before anything is recorded')
  t.same(exits, [6, 4, undefined, '7'])
})

t.test('a crash that exits the thread is not recorded; an uncaughtException handler\'s exit is', async (t) => {
  const { proc } = fakeProcess()
  const records = exitRecords(8)
  recordExitsOf(proc, records, new Map([[5, 'crash']]))
  proc.emit('uncaughtExceptionMonitor', new Error('boom'))
  proc.exit()
  t.equal(recordedExit(records, 5), undefined, 'the parent reports the crash\'s error instead')

  const handled = fakeProcess()
  recordExitsOf(handled.proc, records, new Map([[6, 'handled']]))
  handled.proc.on('uncaughtException', () => handled.proc.exit(2))
  handled.proc.emit('uncaughtExceptionMonitor', new Error('boom'))
  handled.proc.emit('uncaughtException', new Error('boom'))
  t.equal(recordedExit(records, 6), 2)
})
