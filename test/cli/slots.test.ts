import t from 'tap'
import { SlotPool } from '../../dist/lib/cli/slots.js'

t.test('slots: the lowest free number, waiting when none is free, abortable', async (t) => {
  const pool = new SlotPool(2)
  const never = new AbortController().signal
  t.equal(await pool.acquire(never), 1)
  t.equal(await pool.acquire(never), 2)
  const waiting = pool.acquire(never)
  pool.release(2)
  t.equal(await waiting, 2)
  pool.release(1)
  pool.release(2)
  t.equal(await pool.acquire(never), 1)
  t.equal(await pool.acquire(never), 2)
  const stop = new AbortController()
  const given = pool.acquire(stop.signal)
  stop.abort(new Error('stopped'))
  await t.rejects(given, { message: 'stopped' })
})
