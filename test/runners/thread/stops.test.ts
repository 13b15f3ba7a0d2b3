import t from 'tap'
import { CallContext } from '../../../dist/lib/worker/call.js'
import { abortIfStoppedEarly, answerStop, flagStop, type StopMessage } from '../../../dist/lib/runners/thread/stops.js'

const flags = () => new Int32Array(new SharedArrayBuffer(4 * 8))

t.test('a stop flagged before the task was picked up aborts it as it is taken', async (t) => {
  const stops = flags()
  flagStop(stops, 11)
  const stopped = new CallContext('stopped')
  abortIfStoppedEarly(stops, 11, stopped)
  t.equal(stopped.aborted, true)
  const other = new CallContext('other')
  abortIfStoppedEarly(stops, 3, other)
  t.equal(other.aborted, false, 'another task in the same slot is not stopped')
})

t.test('answerStop: listening or not yet begun is aborted; a running deaf worker is reported', async (t) => {
  const posted: StopMessage[] = []
  const post = (message: StopMessage) => posted.push(message)
  const listening = new CallContext('listening')
  listening.started = true
  void listening.signal
  const loading = new CallContext('loading')
  const deaf = new CallContext('deaf')
  deaf.started = true
  const running = new Map([[1, listening], [2, loading], [3, deaf]])

  answerStop({ stop: 1 }, running, post)
  answerStop({ stop: 2 }, running, post)
  answerStop({ stop: 3 }, running, post)
  t.equal(listening.aborted, true)
  t.equal(loading.aborted, true, 'a worker still loading is told not to begin')
  t.equal(deaf.aborted, false)
  t.same(posted, [{ deaf: 3 }], 'the deaf one is reported, for the parent to terminate its thread')

  answerStop({ stop: 99 }, running, post)
  answerStop({ deaf: 1 }, running, post)
  answerStop({ running: 1, threadId: 1, uses: 1 }, running, post)
  t.same(posted, [{ deaf: 3 }], 'messages not for this thread change nothing')
})
