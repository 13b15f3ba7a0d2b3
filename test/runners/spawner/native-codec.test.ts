// The native forker's wire format, on its own: orders as the forker reads them (native/forker.c),
// and its reports back as the Node runtime's messages, however the reads cut the stream.
import t from 'tap'
import { constants } from 'node:os'
import { encodeOrder, nulFailure, programOf, ReportReader } from '../../../dist/lib/runners/spawner/native-codec.js'
import type { SpawnerMessage, SpawnOrder } from '../../../dist/lib/runners/spawner/protocol.js'

const base: SpawnOrder = { id: 7, command: 'echo', args: ['a b'], cwd: '/tmp', shell: false, capture: true, maxBuffer: 1000 }

/** Reads an order frame back, field by field, as the forker does. */
function decodeOrder(frame: Buffer) {
  let at = 0
  const u32 = (): number => {
    at += 4
    return frame.readUInt32LE(at - 4)
  }
  const str = (): string => {
    const n = u32()
    return frame.toString('utf8', (at += n) - n, at)
  }
  const strs = (): string[] => Array.from({ length: u32() }, str)
  t.equal(u32(), frame.length - 4, 'the length prefix is the rest of the frame')
  const id = u32()
  const flags = frame[at++]!
  const out: Record<string, unknown> = { id, flags, maxBuffer: u32(), file: str(), cwd: str(), argv: strs() }
  if (flags & 12) out['env'] = strs()
  if (flags & 2) out['input'] = str()
  t.equal(at, frame.length, 'nothing left over')
  return out
}

t.test('orders: the program as spawn() runs it, flags, environment and input', async (t) => {
  t.same(decodeOrder(encodeOrder(base)), { id: 7, flags: 1, maxBuffer: 1000, file: 'echo', cwd: '/tmp', argv: ['echo', 'a b'] })
  t.same(programOf({ ...base, shell: true }), { file: '/bin/sh', argv: ['/bin/sh', '-c', 'echo a b'] }, 'a shell gets one line')
  t.same(decodeOrder(encodeOrder({ ...base, capture: false, env: { A: '1', GONE: undefined }, input: 'héllo' })), {
    id: 7, flags: 6, maxBuffer: 1000, file: 'echo', cwd: '/tmp', argv: ['echo', 'a b'], env: ['A=1'], input: 'héllo',
  }, 'a whole environment leaves out what is undefined')
  t.same(decodeOrder(encodeOrder({ ...base, envOver: { A: '1', GONE: undefined }, input: new Uint8Array([104, 105]) })), {
    id: 7, flags: 11, maxBuffer: 1000, file: 'echo', cwd: '/tmp', argv: ['echo', 'a b'], env: ['A=1', 'GONE'], input: 'hi',
  }, 'an overlay names what it unsets')
  t.equal(decodeOrder(encodeOrder({ ...base, maxBuffer: Infinity })).maxBuffer, 0xffffffff, 'no limit is the most a u32 holds')
})

t.test('a NUL in any string fails as spawn() fails it', async (t) => {
  t.equal(nulFailure(base), undefined)
  t.same(nulFailure({ ...base, args: ['ok', 'b\0'] }), {
    type: 'failed', id: 7, code: 'ERR_INVALID_ARG_VALUE',
    message: "The argument 'args[1]' must be a string without null bytes. Received 'b\\x00'", thrown: true,
  })
  t.match(nulFailure({ ...base, command: 'e\0' }), { message: /'file'/ })
  t.match(nulFailure({ ...base, cwd: '/\0' }), { message: /'options.cwd'/ })
  t.match(nulFailure({ ...base, envOver: { A: 'x\0' } }), { message: /'options.env'/ })
  t.match(nulFailure({ ...base, env: { 'A\0': 'x' } }), { message: /'options.env'/ })
  // As spawn() does, a variable set to undefined is passed over, and so is its name.
  t.equal(nulFailure({ ...base, env: { 'A\0': undefined } }), undefined)
  t.equal(nulFailure({ ...base, envOver: { 'A\0': undefined } }), undefined)
  t.same(decodeOrder(encodeOrder({ ...base, envOver: { 'A\0': undefined, GONE: undefined } })).env, ['GONE'],
    'an overlay unsets no name with a NUL: no inherited variable has one')
})

t.test('reports become the runtime\'s messages, cut anywhere', async (t) => {
  const frame = (type: number, id: number, ...rest: Buffer[]) => {
    const head = Buffer.alloc(5)
    head.writeUInt8(type, 0)
    head.writeUInt32LE(id, 1)
    return Buffer.concat([head, ...rest])
  }
  const u32 = (n: number) => {
    const b = Buffer.alloc(4)
    b.writeInt32LE(n, 0)
    return b
  }
  const str = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)])
  const stream = Buffer.concat([
    frame(0, 0),
    frame(1, 1, u32(4242)),
    frame(2, 2, u32(constants.errno.ENOENT), str('nope')),
    frame(2, 3, u32(constants.errno.ENOTDIR), str('true')),
    frame(2, 4, u32(4095), str('odd')),
    frame(3, 1, Buffer.from([2]), str('out\0put')),
    frame(4, 1, u32(-1), u32(constants.signals.SIGTERM)),
    frame(5, 1, u32(3), u32(0)),
  ])
  const expected: SpawnerMessage[] = [
    { type: 'ready' },
    { type: 'started', id: 1, pid: 4242 },
    { type: 'failed', id: 2, code: 'ENOENT', message: 'spawn nope ENOENT', thrown: false },
    { type: 'failed', id: 3, code: 'ENOTDIR', message: 'spawn ENOTDIR', thrown: true },
    { type: 'failed', id: 4, code: 'E4095', message: 'spawn E4095', thrown: true },
    { type: 'output', id: 1, fd: 2, chunk: Buffer.from('out\0put') },
    { type: 'exit', id: 1, code: null, signal: 'SIGTERM' },
    { type: 'closed', id: 1, code: 3, signal: null },
  ]
  const whole: SpawnerMessage[] = []
  new ReportReader((m) => whole.push(m)).push(stream)
  t.same(whole, expected, 'in one read')
  for (let cut = 1; cut < stream.length; cut++) {
    const got: SpawnerMessage[] = []
    const reader = new ReportReader((m) => got.push(m))
    reader.push(stream.subarray(0, cut))
    reader.push(stream.subarray(cut))
    if (!t.strictSame(got.map((m) => ('chunk' in m ? { ...m, chunk: Buffer.from(m.chunk) } : m)), expected, `cut at byte ${cut}`)) break
  }
  const bytes: SpawnerMessage[] = []
  const reader = new ReportReader((m) => bytes.push(m))
  for (const byte of stream) reader.push(Buffer.from([byte]))
  t.equal(bytes.length, expected.length, 'a byte at a time')
})
