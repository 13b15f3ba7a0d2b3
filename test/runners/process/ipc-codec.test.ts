import t from 'tap'
import { spawn } from 'node:child_process'
import { MessageChannel } from 'node:worker_threads'
import type { Readable, Writable } from 'node:stream'
import { encodeIpcMessage, IpcMessageReader } from '../../../dist/lib/runners/process/ipc-codec.js'

const VALUE = {
  b: Buffer.from('bytes'), f: new Float64Array([1.5, -2]), u: new Uint8Array([1, 2, 3]), m: new Map([[1, new Set(['a'])]]), d: new Date(0),
  n: 10n, s: 'x'.repeat(70_000),
}

t.test('messages come back whole, however the reads cut the stream', async (t) => {
  const stream = Buffer.concat([encodeIpcMessage(VALUE), encodeIpcMessage('second'), encodeIpcMessage(null)])
  for (const cuts of [[1], [3], [4], [5], [stream.length - 1], [2, 7, 70_010]]) {
    const got: unknown[] = []
    const reader = new IpcMessageReader((message) => got.push(message))
    let at = 0
    for (const cut of [...cuts, stream.length]) {
      reader.push(stream.subarray(at, cut))
      at = cut
    }
    t.same(got, [VALUE, 'second', null], `cut at ${cuts.join(', ')}`)
  }
})

t.test('what cannot be cloned throws at the encode, as process.send() does', async (t) => {
  t.throws(() => encodeIpcMessage({ f: () => 1 }), { message: /could not be cloned/ })
})

t.test("Node's own IPC reads what this encodes, and this reads what it sends", async (t) => {
  // A child whose fd 3 is a socket of this test's, with Node's IPC on it (as the forker sets a worker up).
  const env = { ...process.env, NODE_OPTIONS: '', NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'advanced' }
  const child = spawn(process.execPath, ['-e', `
    const { MessageChannel } = require('node:worker_threads')
    process.once('message', (got) => {
      const { port1, port2 } = new MessageChannel()
      process.send({ got, own: { b: Buffer.from('child'), f: new Float64Array([0.25]), port: port1 } }, () => process.exit(0))
      port1.close()
      port2.close()
    })`], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'], env })
  const channel = child.stdio[3] as Readable & Writable
  const { port1, port2 } = new MessageChannel()
  channel.write(encodeIpcMessage({ ...VALUE, port: port1 }))
  port1.close()
  port2.close()
  const reply = await new Promise((resolve) => {
    const reader = new IpcMessageReader(resolve)
    channel.on('data', (chunk: Buffer) => reader.push(chunk))
  })
  // A host object that is no ArrayBufferView (a MessagePort) goes as a plain copy of its own fields, both ways.
  t.same(reply, { got: { ...VALUE, port: {} }, own: { b: Buffer.from('child'), f: new Float64Array([0.25]), port: {} } })
  t.equal(await new Promise((resolve) => child.on('exit', resolve)), 0)
})
