// A fresh process started by the native forker: the manager's side of it. Node's fork()
// copies this process's page tables for every child (the fresh-big-parent bench: from a 1 GB
// manager, 17.3 ms of its CPU and a ~35 ms stall of its event loop per child, against 2.2 ms from
// a small one); the forker's vfork copies none. The child's IPC channel is a connection to this
// process's channel server, which the forker makes and hands to the child as fd 3
// (NODE_CHANNEL_FD), so runtime.ts runs on Node's own process.send() and 'message' as under
// fork(), and the JobResult is the same.

import { fileURLToPath } from 'node:url'
import type { Socket } from 'node:net'
import { serializeError } from '../../util/serialize-error.js'
import type { CallReply } from '../../worker-file/call.js'
import type { Execution } from '../execution.js'
import type { WorkerSpec } from '../spec.js'
import { placeFields } from '../spawner/client.js'
import { SpawnedJob } from '../spawner/spawned-job.js'
import type { JobMessage, Spawner } from '../spawner/spawner.js'
import type { ChannelServer } from './channel-server.js'
import { encodeIpcMessage, IpcMessageReader } from './ipc-codec.js'

const RUNTIME = fileURLToPath(new URL('./runtime.js', import.meta.url))

/** What fork() puts in a child's environment to make its IPC channel: here fd 3 is the forker's connection. */
const CHANNEL_ENV = { NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'advanced' } as const

/**
 * Hands the job to the forker. Its Execution comes back at once; `started` settles when the
 * forker has started it or found it cannot (the outcome then says why). Data that cannot be sent
 * throws here, as child.send() throws under fork().
 */
export function startFreshProcessOnSpawner(spec: WorkerSpec, args: string[], spawner: Spawner, server: ChannelServer): Execution {
  // Encoded before the order goes.
  const first = encodeIpcMessage({ data: spec.data })
  const channel = server.expect((socket, early) => job.connected(socket, early))
  const job = new SpawnedWorkerJob(spec.url, first, channel.forget)
  spawner.run(
    {
      command: process.execPath,
      args: [...spec.execArgv, RUNTIME, ...args],
      ...placeFields({ cwd: spec.cwd, env: { ...spec.env, ...CHANNEL_ENV } }, spawner.env),
      shell: false,
      capture: false,
      maxBuffer: 0,
      channel: { address: channel.address, token: channel.token },
    },
    job
  )
  return job
}

class SpawnedWorkerJob extends SpawnedJob {
  readonly kind = 'process'
  readonly #url: string
  readonly #first: Buffer
  /** Drops the channel server's wait for this job's connection (a connection that comes later is closed unread). */
  readonly #forget: () => void
  #answer: CallReply | undefined
  #exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  #closed = false

  constructor(url: string, first: Buffer, forget: () => void) {
    super(`the worker ${url}`)
    this.#url = url
    this.#first = first
    this.#forget = forget
  }

  /**
   * The child's channel has reached the channel server (it may come before or after 'started'); `early`: bytes the child sent with the
   * token.
   */
  connected(socket: Socket, early: Buffer): void {
    const reader = new IpcMessageReader((message) => (this.#answer = message as CallReply))
    socket.on('data', (chunk: Buffer) => reader.push(chunk))
    // A reply may come after the exit; the channel's close is the last word, as 'disconnect' is under fork().
    socket.on('close', () => {
      this.#closed = true
      this.#settleIfDone()
    })
    if (early.length > 0) reader.push(early)
    socket.write(this.#first)
  }

  message(message: JobMessage): boolean {
    switch (message.type) {
      case 'started':
        this.began(message.pid)
        return false
      case 'failed': {
        // A channel the forker made before it failed closes by itself: the forker and the child that
        // never ran were its only holders.
        this.#forget()
        // What fork() throws at the call (E2BIG, a NUL in a string) is the error as thrown, as the manager reports a throw.
        const text = message.thrown ? message.message : `cannot start a worker process for ${this.#url}: ${message.message}`
        this.notRun(serializeError(Object.assign(new Error(text), { code: message.code })))
        return true
      }
      case 'exit':
        this.group!.reap()
        this.#exited = { code: message.code, signal: message.signal }
        this.#settleIfDone()
        return true
      /* c8 ignore next 3 -- a fresh process's order never asks for capture, so no output or 'closed' comes */
      default:
        return false
    }
  }

  /** Its exit can no longer reach this process (it is killed; its channel closes as it dies). */
  override lost(why: string): void {
    this.#forget()
    super.lost(why)
  }

  /** Settles once the child has exited and its channel has closed. */
  #settleIfDone(): void {
    const exited = this.#exited
    // The channel came (it has closed), so the channel server no longer waits for it: nothing to forget.
    if (exited === undefined || !this.#closed) return
    const answer = this.#answer
    this.ended.settle({
      exitCode: exited.code,
      signal: exited.signal,
      data: answer?.ok ? answer.data : undefined,
      error: answer && !answer.ok ? answer.error : null,
    })
  }
}
