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

/** Resolves once the forker has started the worker (or found it cannot); rejects where fork() would have thrown. */
export function startWorkerOnSpawner(spec: WorkerSpec, args: string[], spawner: Spawner, server: ChannelServer): Promise<Execution> {
  return new Promise((resolve, reject) => {
    // Encoded before the order goes: data that cannot be sent fails the start, as child.send() throws under fork().
    const first = encodeIpcMessage({ data: spec.data })
    const channel = server.expect((socket, early) => job.connected(socket, early))
    const job = new SpawnedWorker(spec, spawner, first, channel.forget, resolve, reject)
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
  })
}

class SpawnedWorker implements SpawnerJob {
  readonly #spec: WorkerSpec
  readonly #spawner: Spawner
  readonly #first: Buffer
  readonly #outcome = settleOnce<Outcome>()
  #resolve: ((execution: Execution) => void) | undefined
  readonly #reject: (error: Error) => void
  /** Drops the channel server's wait for this job's connection (a connection that comes later is closed unread). */
  readonly #forget: () => void
  /** The spawner's turn in which the job's start came (see Spawner.turn). */
  #startTurn = -1
  #pid: number | null = null
  #group: GroupStopper | undefined
  #answer: WorkerReply | undefined
  #exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  #closed = false

  constructor(
    spec: WorkerSpec, spawner: Spawner, first: Buffer, forget: () => void, resolve: (execution: Execution) => void,
    reject: (error: Error) => void
  ) {
    this.#spec = spec
    this.#spawner = spawner
    this.#first = first
    this.#forget = forget
    this.#resolve = resolve
    this.#reject = reject
  }

  /**
   * The child's channel has reached the channel server (it may come before or after 'started'); `early`: bytes the child sent with the
   * token.
   */
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
        this.#startTurn = this.#spawner.turn
        this.#pid = message.pid
        this.#group = groupStopper(message.pid, () => this.#outcome.settled)
        this.#started(message.pid, this.#group.stop)
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
    if (this.#pid === null) {
      this.#reject(new SpawnerExitError(`${message} before the job started`))
      return
    }
    // Its exit can no longer reach this process: the job is ended here, not left running
    // unwatched. Its channel closes as the worker dies.
    killTree(this.#pid, 'SIGKILL')
    this.#outcome.settle({
      exitCode: null, signal: null, error: jobError(SpawnerExitError, `${message} while the job ran; its process group was killed`),
    })
  }

  /**
   * Settles once the child has exited and its channel has closed. When the exit came in the
   * spawner's turn of the start, whoever awaits the start must first find the job running: the
   * end then waits a turn of the event loop (as in spawner/client.ts).
   */
  #settleIfDone(): void {
    const exited = this.#exited
    // The channel came (it has closed), so the channel server no longer waits for it: nothing to forget.
    if (exited === undefined || !this.#closed) return
    const answer = this.#answer
    const done: Outcome = {
      exitCode: exited.code, signal: exited.signal, data: answer?.ok ? answer.data : undefined,
      error: answer && !answer.ok ? answer.error : null,
    }
    if (this.#spawner.turn !== this.#startTurn) this.#outcome.settle(done)
    else setImmediate(() => this.#outcome.settle(done))
  }

  #started(pid: number | null, stop: (signal: NodeJS.Signals) => void): void {
    this.#resolve!({ kind: 'process', pid, outcome: this.#outcome.promise, stop })
    this.#resolve = undefined
  }

  #failed(failure: Extract<JobMessage, { type: 'failed' }>): void {
    // A channel the forker made before it failed closes by itself: the forker and the child that
    // never ran were its only holders.
    this.#forget()
    if (failure.thrown) {
      // fork() throws these at the call (E2BIG, a NUL in a string), and the manager reports the throw.
      this.#reject(Object.assign(new Error(failure.message), { code: failure.code }))
      return
    }
    const error = Object.assign(new Error(`cannot start a worker process for ${this.#spec.url}: ${failure.message}`),
      { code: failure.code })
    this.#outcome.settle({ exitCode: null, signal: null, error: serializeError(error) })
    this.#started(null, () => {})
  }
}
