// A command job started by a spawner: the manager's side of it. The JobResult is the one the
// direct path gives (lib/runners/command.ts): the real child's pid, its exit code or signal, a
// spawn failure as a result, capture up to maxBuffer. Stops need no spawner: the job leads its
// own process group, and this process signals -pid itself.

import path from 'node:path'
import { jobError, SpawnerExitError } from '../../errors.js'
import { maxBufferError, notStarted } from '../command-failures.js'
import type { Execution, Outcome } from '../execution.js'
import { groupStopper, killTree, type GroupStopper } from '../kill-tree.js'
import type { CommandSpec } from '../spec.js'
import { StreamBuffer } from '../stream-buffer.js'
import { settleOnce } from '../../util/once.js'
import type { SpawnOrder } from './protocol.js'
import type { JobMessage, Spawner, SpawnerJob } from './spawner.js'

/** Resolves once the spawner has started the job (or found it cannot); rejects where a direct spawn would have thrown. */
export function startOnSpawner(spec: CommandSpec, spawner: Spawner): Promise<Execution> {
  return new Promise((resolve, reject) => spawner.run(order(spec, spawner.env), new SpawnedCommand(spec, spawner, resolve, reject)))
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
export function placeFields(job: {
  cwd?: string | undefined; env?: Record<string, string | undefined> | undefined,
}, spawnerEnv: Readonly<Record<string, string | undefined>>): Pick<SpawnOrder, 'cwd' | 'env' | 'envOver'> {
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

class SpawnedCommand implements SpawnerJob {
  readonly #spec: CommandSpec
  readonly #spawner: Spawner
  /** The spawner's turn in which the job's start came. */
  #startTurn = -1
  readonly #outcome = settleOnce<Outcome>()
  #resolve: ((execution: Execution) => void) | undefined
  readonly #reject: (error: Error) => void
  #pid: number | null = null
  #group: GroupStopper | undefined
  #stdout: StreamBuffer | undefined
  #stderr: StreamBuffer | undefined

  constructor(spec: CommandSpec, spawner: Spawner, resolve: (execution: Execution) => void, reject: (error: Error) => void) {
    this.#spec = spec
    this.#spawner = spawner
    this.#resolve = resolve
    this.#reject = reject
  }

  message(message: JobMessage): boolean {
    switch (message.type) {
      case 'started': {
        this.#startTurn = this.#spawner.turn
        const group = (this.#group = groupStopper((this.#pid = message.pid), () => this.#outcome.settled))
        if (this.#spec.capture) {
          const overflow = (): void => group.stop('SIGTERM')
          this.#stdout = new StreamBuffer(this.#spec.maxBuffer, overflow)
          this.#stderr = new StreamBuffer(this.#spec.maxBuffer, overflow)
        }
        this.#started(message.pid, group.stop)
        return false
      }
      case 'failed':
        this.#failed(message)
        return true
      case 'output':
        ;(message.fd === 1 ? this.#stdout : this.#stderr)!.add(Buffer.from(message.chunk.buffer, message.chunk.byteOffset,
          message.chunk.byteLength))
        return false
      case 'exit':
        this.#group!.reap()
        if (this.#spec.capture) return false
        this.#settle({ exitCode: message.code, signal: message.signal, error: null })
        return true
      case 'closed': {
        const stdout = this.#stdout!
        const stderr = this.#stderr!
        const done: Outcome = {
          exitCode: message.code, signal: message.signal, error: null, stdout: stdout.text(this.#spec.encoding ?? 'utf8'),
          stderr: stderr.text(this.#spec.encoding ?? 'utf8'),
        }
        if (stdout.overflowed || stderr.overflowed) done.error = maxBufferError(this.#spec)
        this.#settle(done)
        return true
      }
    }
  }

  lost(why: string): void {
    const message = `the spawner process that started ${this.#spec.command} ${why}`
    if (this.#pid === null) {
      // It never said the job started: whether a process exists is unknown, and no pid to stop.
      this.#reject(new SpawnerExitError(`${message} before the job started`))
      return
    }
    // Its output and its exit can no longer reach this process: the job is ended here, not left running unwatched.
    killTree(this.#pid, 'SIGKILL')
    this.#outcome.settle({
      exitCode: null, signal: null, error: jobError(SpawnerExitError, `${message} while the job ran; its process group was killed`),
    })
  }

  /**
   * The job's end. A job's start and exit may come in one read of the channel, and whoever awaits
   * the start must find the job running, as a direct spawn (whose exit cannot come in the turn
   * that spawned it) guarantees: then the end waits a turn of the event loop. An end in a later
   * turn than the start is settled at once; sparing every job that setImmediate took 2000
   * /bin/true through ForkManager at cap 2 from 2.71 to 2.63 ms per job and the manager's CPU
   * from 0.66 to 0.61 ms per job (three runs each, alternating).
   */
  #settle(done: Outcome): void {
    if (this.#spawner.turn !== this.#startTurn) this.#outcome.settle(done)
    else setImmediate(() => this.#outcome.settle(done))
  }

  #started(pid: number | null, stop: (signal: NodeJS.Signals) => void): void {
    this.#resolve!({ kind: 'command', pid, outcome: this.#outcome.promise, stop })
    this.#resolve = undefined
  }

  #failed(failure: Extract<JobMessage, { type: 'failed' }>): void {
    const spec = this.#spec
    if (failure.thrown && !spec.capture && spec.input === undefined && !spec.shell) {
      // The direct path's bare spawn throws these (E2BIG), and the manager reports the throw.
      this.#reject(Object.assign(new Error(failure.message), { code: failure.code }))
      return
    }
    this.#outcome.settle(notStarted(spec, failure))
    this.#started(null, () => {})
  }
}
