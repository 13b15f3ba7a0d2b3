import t from 'tap'
import { connect, type Socket } from 'node:net'
import { sleep } from '../../helpers/wait.js'
import { ChannelServer, processChannelServer, TOKEN_BYTES } from '../../../dist/lib/runners/process/channel-server.js'

/**
 * Connects to `address`, writes `parts` one write each (a turn apart), and resolves once the server has closed the connection, or after
 * `ms`.
 */
async function knock(address: string, parts: Buffer[], ms = 1000): Promise<'closed' | 'open'> {
  const socket = connect(address).resume()
  const closed = new Promise<'closed'>((resolve) => socket.once('close', () => resolve('closed')))
  await new Promise((resolve) => socket.once('connect', resolve))
  for (const part of parts) {
    socket.write(part)
    await sleep(20) // the server reads each part in a turn of its own
  }
  // An 'open' answer is the point of some calls: the server did not close it within `ms`.
  const result = await Promise.race([closed, sleep(ms).then(() => 'open' as const)])
  socket.destroy()
  return result
}

t.test('a connection that brings its job\'s token goes to that job, with what came after the token', async (t) => {
  const server = new ChannelServer()
  const taken = new Promise<[Socket, Buffer]>((resolve) => {
    const { address, token } = server.expect((socket, early) => resolve([socket, early]))
    // The token cut in two writes, then bytes of the child's.
    void knock(address, [token.subarray(0, 5), Buffer.concat([token.subarray(5), Buffer.from('early')])], 200)
  })
  const [socket, early] = await taken
  t.equal(early.toString(), 'early')
  socket.destroy()
})

t.test('a wrong token, or one whose job has ended, is dropped unread', async (t) => {
  const server = new ChannelServer()
  let calls = 0
  const { address, token, forget } = server.expect(() => calls++)
  const wrong = Buffer.from(token)
  wrong[0]! ^= 0xff
  t.equal(await knock(address, [wrong]), 'closed', 'a wrong secret')
  const unknown = Buffer.from(token)
  unknown.writeUInt32LE(12345, TOKEN_BYTES - 4)
  t.equal(await knock(address, [unknown]), 'closed', 'no job of that number')
  forget()
  t.equal(await knock(address, [token]), 'closed', 'a forgotten job')
  t.equal(calls, 0)
})

t.test('a listen that fails is tried again, on a fresh address, at the next job', async (t) => {
  const first = new ChannelServer()
  const { address } = first.expect(() => {})
  const second = new ChannelServer(address)
  // The failure comes as an event, a turn after the listen.
  await new Promise((resolve) => setImmediate(resolve))
  let took = false
  const again = second.expect(() => (took = true))
  t.not(again.address, address)
  t.equal(await knock(again.address, [again.token], 200), 'open')
  t.ok(took, 'the new address serves')
})

t.test('one server per process', async (t) => {
  t.equal(processChannelServer(), processChannelServer())
})
