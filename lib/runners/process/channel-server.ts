// Where fresh processes started by the native forker reach this process: one unix socket per
// process, on Linux's abstract namespace (nothing on disk to clean up, even after a SIGKILL). The
// forker connects for each of them and writes the job's token before the child runs; the
// connection then becomes the child's fd 3, its IPC channel (ipc-codec.ts). An abstract address
// has no file permissions, so any local process could connect: a token is 12 random bytes of
// this process's and the job's number, and a connection with a wrong one is dropped unread.

import { randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'

const SECRET_BYTES = 12
export const TOKEN_BYTES = SECRET_BYTES + 4

/** Hears its job's connection: the socket, and whatever the child had sent after the token in the same read. */
export type ChannelTaker = (socket: Socket, first: Buffer) => void

/** A fresh abstract address: a NUL, then a name no other process has. */
function freshAddress(): string {
  return `\0forkpool-${process.pid}-${randomBytes(8).toString('hex')}`
}

export class ChannelServer {
  readonly #secret = randomBytes(SECRET_BYTES)
  readonly #server: Server
  readonly #waiting = new Map<number, ChannelTaker>()
  #address = ''
  #next = 0
  #failed = false

  constructor(address = freshAddress()) {
    this.#server = createServer((socket) => this.#accept(socket))
    // Never what keeps this process alive; a job's own connection is, while the job runs.
    this.#server.unref()
    // A listen that fails (the address taken, no descriptors left) fails the jobs sent to it
    // meanwhile: the forker's connect is refused, a result. The next job listens again.
    this.#server.on('error', () => (this.#failed = true))
    this.#listen(address)
  }

  /**
   * A job's channel: the address for the forker's connect() (a NUL, then a name) and the token it
   * writes; `take` gets the connection that brings the token. `forget` when the job ends without one.
   */
  expect(take: ChannelTaker): { address: string; token: Buffer; forget: () => void } {
    if (this.#failed) this.#listen(freshAddress())
    const id = this.#next++ >>> 0
    this.#waiting.set(id, take)
    const token = Buffer.allocUnsafe(TOKEN_BYTES)
    this.#secret.copy(token)
    token.writeUInt32LE(id, SECRET_BYTES)
    return { address: this.#address, token, forget: () => this.#waiting.delete(id) }
  }

  #listen(address: string): void {
    this.#failed = false
    this.#address = address
    // exclusive: in a cluster worker, listen here and not through the primary.
    this.#server.listen({ path: address, exclusive: true })
  }

  #accept(socket: Socket): void {
    let head: Buffer | undefined
    // A peer that resets the connection: its job learns it from the close.
    socket.on('error', () => {})
    // Until its token is read, a connection does not keep this process alive (one that never
    // sends one would hold it forever); its job's own holds it from then on.
    socket.unref()
    const onData = (chunk: Buffer): void => {
      head = head === undefined ? chunk : Buffer.concat([head, chunk])
      if (head.length < TOKEN_BYTES) return
      socket.off('data', onData)
      const id = head.readUInt32LE(SECRET_BYTES)
      const take = head.subarray(0, SECRET_BYTES).equals(this.#secret) ? this.#waiting.get(id) : undefined
      if (take === undefined) {
        socket.destroy()
        return
      }
      this.#waiting.delete(id)
      socket.ref()
      take(socket, head.subarray(TOKEN_BYTES))
    }
    socket.on('data', onData)
  }
}

let shared: ChannelServer | undefined

/** This process's channel server, made at the first fresh process a forker starts. */
export function processChannelServer(): ChannelServer {
  return (shared ??= new ChannelServer())
}
