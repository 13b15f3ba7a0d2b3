// A fresh worker process started by the native forker: the manager's side of it. Node's fork()
// copies this process's page tables for every worker (the fresh-big-parent bench: from a 1 GB
// manager, 17.3 ms of its CPU and a ~35 ms stall of its event loop per worker, against 2.2 ms from
// a small one); the forker's vfork copies none. The worker's IPC channel is a connection to this
// process's channel server, which the forker makes and hands to the child as fd 3
// (NODE_CHANNEL_FD), so runtime.ts runs on Node's own process.send() and 'message' as under
// fork(), and the JobResult is the same.

import { fileURLToPath } from 'node:url'
import type { Socket } from 'node:net'
import { jobError, serializeError, SpawnerExitError } from '../../errors.js'
import type { SerializedError } from '../../types.js'
import type { WorkerReply } from '../../worker/call.js'
import type { Execution, Outcome } from '../execution.js'
import { groupStopper, killTree, type GroupStopper } from '../kill-tree.js'
import type { WorkerSpec } from '../spec.js'
import { placeFields } from '../spawner/client.js'
import type { JobMessage, Spawner, SpawnerJob } from '../spawner/spawner.js'
import { settleOnce } from '../../util/once.js'
import type { ChannelServer } from './channel-server.js'
import { encodeIpcMessage, IpcMessageReader } from './ipc-codec.js'

const RUNTIME = fileURLToPath(new URL('./runtime.js', import.meta.url))

/** What fork() puts in a child's environment to make its IPC channel: here fd 3 is the forker's connection. */
const CHANNEL_ENV = { NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'advanced' } as const

/**
 * Hands the worker to the forker. Its Execution comes back at once; `started` settles when the
 * forker has started it or found it cannot (the outcome then says why). Data that cannot be sent
 * throws here, as child.send() throws under fork().
 */
export function startWorkerOnSpawner(spec: WorkerSpec, args: string[], spawner: Spawner, server: ChannelServer): Execution {
  // Encoded before the order goes.
  const first = encodeIpcMessage({ data: spec.data })
  const channel = server.expect((socket, early) => job.connected(socket, early))
  const job = new SpawnedWorker(spec, first, channel.forget)
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
    job,
  )
  return job
}

class SpawnedWorker implements SpawnerJob, Execution {
  readonly kind = 'process'
  pid: number | null = null
  readonly #spec: WorkerSpec
  readonly #first: Buffer
  readonly #started = settleOnce<number>()
  readonly #outcome = settleOnce<Outcome>()
  /** Drops the channel server's wait for this job's connection (a connection that comes later is closed unread). */
  readonly #forget: () => void
  #group: GroupStopper | undefined
  #answer: WorkerReply | undefined
  #exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  #closed = false

  constructor(spec: WorkerSpec, first: Buffer, forget: () => void) {
    this.#spec = spec
    this.#first = first
    this.#forget = forget
  }

  get started(): Promise<number> {
    return this.#started.promise
  }

  get outcome(): Promise<Outcome> {
    return this.#outcome.promise
  }

  /** Stops its process group; nothing before its start (the manager stops a job only once it has started). */
  stop(signal: NodeJS.Signals): void {
    this.#group?.stop(signal)
  }

  /** The child's channel has reached the channel server (it may come before or after 'started'); `early`: bytes the child sent with the token. */
  connected(socket: Socket, early: Buffer): void {
    const reader = new IpcMessageReader((message) => (this.#answer = message as WorkerReply))
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
        this.#group = groupStopper((this.pid = message.pid), () => this.#outcome.settled)
        this.#started.settle(Date.now())
        return false
      case 'failed':
        this.#failed(message)
        return true
      case 'exit':
        this.#group!.reap()
        this.#exited = { code: message.code, signal: message.signal }
        this.#settleIfDone()
        return true
      /* c8 ignore next 3 -- a worker's order never asks for capture, so no output or 'closed' comes */
      default:
        return false
    }
  }

  lost(why: string): void {
    this.#forget()
    const message = `the spawner process that started the worker ${this.#spec.url} ${why}`
    if (this.pid === null) {
      this.#end(serializeError(new SpawnerExitError(`${message} before the job started`)))
      return
    }
    // Its exit can no longer reach this process: the job is ended here, not left running
    // unwatched. Its channel closes as the worker dies.
    killTree(this.pid, 'SIGKILL')
    this.#outcome.settle({ exitCode: null, signal: null, error: jobError(SpawnerExitError, `${message} while the job ran; its process group was killed`) })
  }

  /** Settles once the child has exited and its channel has closed. */
  #settleIfDone(): void {
    const exited = this.#exited
    // The channel came (it has closed), so the channel server no longer waits for it: nothing to forget.
    if (exited === undefined || !this.#closed) return
    const answer = this.#answer
    const done: Outcome = { exitCode: exited.code, signal: exited.signal, data: answer?.ok ? answer.data : undefined, error: answer && !answer.ok ? answer.error : null }
    this.#outcome.settle(done)
  }

  #failed(failure: Extract<JobMessage, { type: 'failed' }>): void {
    // A channel the forker made before it failed closes by itself: the forker and the child that
    // never ran were its only holders.
    this.#forget()
    // What fork() throws at the call (E2BIG, a NUL in a string) is the error as thrown, as the manager reports a throw.
    const message = failure.thrown ? failure.message : `cannot start a worker process for ${this.#spec.url}: ${failure.message}`
    this.#end(serializeError(Object.assign(new Error(message), { code: failure.code })))
  }

  /** It never ran: it has ended, with `error`, as soon as it was started. */
  #end(error: SerializedError): void {
    this.#started.settle(Date.now())
    this.#outcome.settle({ exitCode: null, signal: null, error })
  }
}
