// The wire format between the manager's side and the native spawner (native/forker.c): an order
// as bytes, and the forker's reports back as the SpawnerMessages the Node runtime sends, so that
// everything above the channel is the same for both. Numbers are little-endian u32 (i32 where
// they may be -1), strings a u32 byte length and their UTF-8.
//
// An order: u32 frame length, then u32 id, u8 flags (1 capture, 2 input, 4 env is the whole
// environment, 8 env is laid over the forker's, 16 a channel), u32 maxBuffer, the program, the
// working directory, argv (u32 count, strings; argv[0] included), the env entries if a flag says
// so ("K=V", or a bare "K" for a variable the job unsets), the input if any, the channel's socket
// address and token if any.
//
// A report: u8 type, u32 id, then per type: ready (0) nothing; started (1) the pid; failed (2)
// the errno and the program; output (3) u8 fd, u32 length, the bytes; exit (4) and closed (5)
// the exit code (-1 for none) and the signal number (0 for none).

import { constants } from 'node:os'
import { inspect } from 'node:util'
import type { SpawnerMessage, SpawnOrder } from './protocol.js'

const CAPTURE = 1
const INPUT = 2
const ENV_ALL = 4
const ENV_OVER = 8
const CHANNEL = 16

/** Node's spawn() throws these at the call; the rest (not found, not allowed, no room) it emits as 'error'. */
const EMITTED = new Set(['EACCES', 'EAGAIN', 'EMFILE', 'ENFILE', 'ENOENT'])

/**
 * A signal's name as Node gives it for a child's exit: of two names for one number, the first
 * (SIGABRT, not its alias SIGIOT; SIGIO, not SIGPOLL), as Node's own table and os.constants list them.
 */
const signalNames = new Map<number, NodeJS.Signals>()
for (const [name, number] of Object.entries(constants.signals)) {
  if (!signalNames.has(number)) {
    signalNames.set(number,
      name as NodeJS.Signals)
  }
}
const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, number]) => [number, name]))

/**
 * The program and argv the order runs, as child_process.spawn() makes them: with `shell`, the
 * command and its arguments joined into one line for /bin/sh -c.
 */
export function programOf(order: SpawnOrder): { file: string; argv: string[] } {
  if (!order.shell) return { file: order.command, argv: [order.command, ...order.args] }
  return { file: '/bin/sh', argv: ['/bin/sh', '-c', [order.command, ...order.args].join(' ')] }
}

/**
 * The failure spawn() gives for a string with a NUL in it, which no C string can carry (and
 * which would otherwise be cut there): undefined when there is none.
 */
export function nulFailure(order: SpawnOrder): SpawnerMessage | undefined {
  const bad = firstWithNul(order)
  if (bad === undefined) return undefined
  const message = `The argument '${bad[0]}' must be a string without null bytes. Received ${inspect(bad[1])}`
  return { type: 'failed', id: order.id, code: 'ERR_INVALID_ARG_VALUE', message, thrown: true }
}

/**
 * The first of the order's strings with a NUL, as spawn() names it, and its value. Every order
 * pays this check, so a name is made only for the string found (building the list of named
 * strings first cost 19 µs per order of self time in a CPU profile of 2000 /bin/true).
 */
function firstWithNul(order: SpawnOrder): [string, string] | undefined {
  if (order.command.includes('\0')) return ['file', order.command]
  if (order.cwd.includes('\0')) return ['options.cwd', order.cwd]
  for (let i = 0; i < order.args.length; i++) if (order.args[i]!.includes('\0')) return [`args[${i}]`, order.args[i]!]
  const env = order.env ?? order.envOver
  if (env !== undefined) {
    for (const key of Object.keys(env)) {
      const value = env[key]
      // spawn() passes over a variable set to undefined, whatever its name holds.
      if (value === undefined) continue
      if (key.includes('\0') || value.includes('\0')) return ['options.env', `${key}=${value}`]
    }
  }
  return undefined
}

function envEntries(env: Record<string, string | undefined>, over: boolean): string[] {
  const entries: string[] = []
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined) entries.push(`${key}=${value}`)
    // No inherited variable's name holds a NUL, so there is nothing to unset; the forker would
    // read the name only up to it, and unset another variable.
    else if (over && !key.includes('\0')) entries.push(key)
  }
  return entries
}

/** The order as one frame for the forker's fd 0. */
export function encodeOrder(order: SpawnOrder): Buffer {
  const { file, argv } = programOf(order)
  // The frame's fields after the fixed head, in order: a number is a u32 count, bytes a string
  // or the input (written with its u32 length). Sized first, then written into one buffer: an
  // order is a single write on the socket.
  const fields: (number | Buffer)[] = [Buffer.from(file), Buffer.from(order.cwd)]
  const list = (items: string[]): void => {
    fields.push(items.length)
    for (const item of items) fields.push(Buffer.from(item))
  }
  list(argv)
  let flags = order.capture ? CAPTURE : 0
  if (order.env !== undefined) {
    flags |= ENV_ALL
    list(envEntries(order.env, false))
  } else if (order.envOver !== undefined) {
    flags |= ENV_OVER
    list(envEntries(order.envOver, true))
  }
  if (order.input !== undefined) {
    flags |= INPUT
    const { input } = order
    fields.push(typeof input === 'string' ? Buffer.from(input) : Buffer.from(input.buffer, input.byteOffset, input.byteLength))
  }
  if (order.channel !== undefined) {
    flags |= CHANNEL
    fields.push(Buffer.from(order.channel.address),
      Buffer.from(order.channel.token.buffer, order.channel.token.byteOffset, order.channel.token.byteLength))
  }
  let size = 4 + 4 + 1 + 4
  for (const field of fields) size += typeof field === 'number' ? 4 : 4 + field.length
  const frame = Buffer.allocUnsafe(size)
  let at = frame.writeUInt32LE(size - 4, 0)
  at = frame.writeUInt32LE(order.id, at)
  at = frame.writeUInt8(flags, at)
  at = frame.writeUInt32LE(Math.min(order.maxBuffer, 0xffffffff), at)
  for (const field of fields) {
    if (typeof field === 'number') {
      at = frame.writeUInt32LE(field, at)
    } else {
      at = frame.writeUInt32LE(field.length, at)
      at += field.copy(frame, at)
    }
  }
  return frame
}

/** Turns the forker's byte stream back into messages, whatever the reads cut it into. */
export class ReportReader {
  #pending: Buffer | undefined
  readonly #onMessage: (message: SpawnerMessage) => void

  constructor(onMessage: (message: SpawnerMessage) => void) {
    this.#onMessage = onMessage
  }

  push(chunk: Buffer): void {
    const data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk])
    let at = 0
    for (;;) {
      const length = frameLength(data, at)
      if (length === undefined || data.length - at < length) break
      this.#onMessage(decode(data, at))
      at += length
    }
    this.#pending = at === data.length ? undefined : data.subarray(at)
  }
}

/** The length of the report at `at`, if enough of it is there to tell. */
function frameLength(data: Buffer, at: number): number | undefined {
  if (data.length - at < 5) return undefined
  switch (data[at]) {
    case 0:
      return 5
    case 1:
      return 9
    case 2:
      return data.length - at < 13 ? undefined : 13 + data.readUInt32LE(at + 9)
    case 3:
      return data.length - at < 10 ? undefined : 10 + data.readUInt32LE(at + 6)
    default:
      return 13
  }
}

function decode(data: Buffer, at: number): SpawnerMessage {
  const id = data.readUInt32LE(at + 1)
  switch (data[at]) {
    case 0:
      return { type: 'ready' }
    case 1:
      return { type: 'started', id, pid: data.readUInt32LE(at + 5) }
    case 2: {
      const errno = data.readUInt32LE(at + 5)
      const code = errnoNames.get(errno) ?? `E${errno}`
      const file = data.toString('utf8', at + 13, at + 13 + data.readUInt32LE(at + 9))
      // The messages Node's spawn() gives for the same failures.
      const thrown = !EMITTED.has(code)
      return { type: 'failed', id, code, message: thrown ? `spawn ${code}` : `spawn ${file} ${code}`, thrown }
    }
    case 3:
      return { type: 'output', id, fd: data[at + 5] as 1 | 2, chunk: data.subarray(at + 10, at + 10 + data.readUInt32LE(at + 6)) }
    default: {
      const code = data.readInt32LE(at + 5)
      const signal = data.readUInt32LE(at + 9)
      return {
        type: data[at] === 4 ? 'exit' : 'closed', id, code: code < 0 ? null : code, signal: signal === 0 ? null : signalNames.get(signal)!
      }
    }
  }
}
