// A command job started by a spawner: the manager's side of it. The JobResult is the one the
// direct path gives (lib/runners/command.ts): the real child's pid, its exit code or signal, a
// spawn failure as a result, capture up to maxBuffer. Stops need no spawner: the job leads its
// own process group, and this process signals -pid itself.

import path from 'node:path'
import { jobError, serializeError, SpawnerExitError } from '../../errors.js'
import type { SerializedError } from '../../types.js'
import { maxBufferError, notStarted } from '../command-failures.js'
import type { Execution, Outcome } from '../execution.js'
import { groupStopper, killTree, type GroupStopper } from '../kill-tree.js'
import type { CommandSpec } from '../spec.js'
import { StreamBuffer } from '../stream-buffer.js'
import { settleOnce } from '../../util/once.js'
import type { SpawnOrder } from './protocol.js'
import type { JobMessage, Spawner, SpawnerJob } from './spawner.js'

/**
 * Hands the job to the spawner. Its Execution comes back at once; `started` settles when the
 * spawner has started it (its pid is then known) or found it cannot (the outcome then says why).
 */
export function startOnSpawner(spec: CommandSpec, spawner: Spawner): Execution {
  const job = new SpawnedCommand(spec)
  spawner.run(order(spec, spawner.env), job)
  return job
}

/**
 * What the spawner needs to start it as this process would: the working directory and the
 * environment as they are now (this process may have changed either since the spawner started).
 */
function order(spec: CommandSpec, spawnerEnv: Readonly<Record<string, string | undefined>>): Omit<SpawnOrder, 'id'> {
  const out: Omit<SpawnOrder, 'id'> = {
    command: spec.command,
    args: spec.args,
    shell: spec.shell,
    capture: spec.capture,
    maxBuffer: spec.maxBuffer,
    ...placeFields(spec, spawnerEnv),
  }
  if (spec.input !== undefined) out.input = spec.input
  return out
}

/**
 * Where and with what an order's process runs, as this process would start it now: the job's
 * `cwd` made absolute (the spawner's working directory may differ), and this process's
 * environment with the job's `env` over it. Checking process.env against the spawner's costs
 * less than copying it (25-44 against 41-92 µs for 39 variables, measured side by side on a
 * loaded machine), and an order without it is ~1.5 KB less to encode in this process and to
 * decode in the spawner.
 */
export function placeFields(job: { cwd?: string | undefined; env?: Record<string, string | undefined> | undefined }, spawnerEnv: Readonly<Record<string, string | undefined>>): Pick<SpawnOrder, 'cwd' | 'env' | 'envOver'> {
  const cwd = job.cwd === undefined ? process.cwd() : path.resolve(job.cwd)
  if (!sameEnv(spawnerEnv)) return { cwd, env: { ...process.env, ...job.env } }
  return job.env === undefined ? { cwd } : { cwd, envOver: job.env }
}

/** Whether this process's environment is still `env`. */
function sameEnv(env: Readonly<Record<string, string | undefined>>): boolean {
  const keys = Object.keys(process.env)
  if (keys.length !== Object.keys(env).length) return false
  for (const key of keys) if (process.env[key] !== env[key]) return false
  return true
}

class SpawnedCommand implements SpawnerJob, Execution {
  readonly kind = 'command'
  pid: number | null = null
  readonly #spec: CommandSpec
  readonly #started = settleOnce<number>()
  readonly #outcome = settleOnce<Outcome>()
  #group: GroupStopper | undefined
  #stdout: StreamBuffer | undefined
  #stderr: StreamBuffer | undefined

  constructor(spec: CommandSpec) {
    this.#spec = spec
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

  message(message: JobMessage): boolean {
    switch (message.type) {
      case 'started': {
        const group = (this.#group = groupStopper((this.pid = message.pid), () => this.#outcome.settled))
        if (this.#spec.capture) {
          const overflow = (): void => group.stop('SIGTERM')
          this.#stdout = new StreamBuffer(this.#spec.maxBuffer, overflow)
          this.#stderr = new StreamBuffer(this.#spec.maxBuffer, overflow)
        }
        this.#started.settle(Date.now())
        return false
      }
      case 'failed':
        this.#failed(message)
        return true
      case 'output':
        ;(message.fd === 1 ? this.#stdout : this.#stderr)!.add(Buffer.from(message.chunk.buffer, message.chunk.byteOffset, message.chunk.byteLength))
        return false
      case 'exit':
        this.#group!.reap()
        if (this.#spec.capture) return false
        this.#outcome.settle({ exitCode: message.code, signal: message.signal, error: null })
        return true
      case 'closed': {
        const stdout = this.#stdout!
        const stderr = this.#stderr!
        const done: Outcome = { exitCode: message.code, signal: message.signal, error: null, stdout: stdout.text(this.#spec.encoding ?? 'utf8'), stderr: stderr.text(this.#spec.encoding ?? 'utf8') }
        if (stdout.overflowed || stderr.overflowed) done.error = maxBufferError(this.#spec)
        this.#outcome.settle(done)
        return true
      }
    }
  }

  lost(why: string): void {
    const message = `the spawner process that started ${this.#spec.command} ${why}`
    if (this.pid === null) {
      // It never said the job started: whether a process exists is unknown, and no pid to stop.
      this.#end(serializeError(new SpawnerExitError(`${message} before the job started`)))
      return
    }
    // Its output and its exit can no longer reach this process: the job is ended here, not left running unwatched.
    killTree(this.pid, 'SIGKILL')
    this.#outcome.settle({ exitCode: null, signal: null, error: jobError(SpawnerExitError, `${message} while the job ran; its process group was killed`) })
  }

  #failed(failure: Extract<JobMessage, { type: 'failed' }>): void {
    const spec = this.#spec
    // What the direct path's bare spawn throws (E2BIG) is the error as thrown; otherwise the error of a command that could not run.
    if (failure.thrown && !spec.capture && spec.input === undefined && !spec.shell) this.#end(serializeError(Object.assign(new Error(failure.message), { code: failure.code })))
    else this.#end(notStarted(spec, failure).error)
  }

  /** It never ran: it has ended, with `error`, as soon as it was started. */
  #end(error: SerializedError | null): void {
    this.#started.settle(Date.now())
    this.#outcome.settle({ exitCode: null, signal: null, error })
  }
}
