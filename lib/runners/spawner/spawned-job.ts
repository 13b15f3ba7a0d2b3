// What a job started by a spawner is, a command (client.ts) or a fresh process (process/spawned.ts):
// an Execution returned at once, whose `started` settles at the spawner's report, and which ends
// at once if the spawner dies. Stops need no spawner: the job leads its own process group, and
// this process signals -pid itself.

import { jobError, SpawnerExitError } from '../../errors.js'
import { serializeError } from '../../util/serialize-error.js'
import type { JobKind, SerializedError } from '../../types.js'
import type { Execution, Outcome } from '../execution.js'
import { groupStopper, killTree, type GroupStopper } from '../kill-tree.js'
import { settleOnce } from '../../util/once.js'
import type { JobMessage, SpawnerJob } from './spawner.js'

export abstract class SpawnedJob implements SpawnerJob, Execution {
  abstract readonly kind: JobKind
  pid: number | null = null
  protected readonly ended = settleOnce<Outcome>()
  protected group: GroupStopper | undefined
  readonly #started = settleOnce<number>()
  /** What was started, as the errors of a spawner's death name it. */
  readonly #what: string

  constructor(what: string) {
    this.#what = what
  }

  get started(): Promise<number> {
    return this.#started.promise
  }

  get outcome(): Promise<Outcome> {
    return this.ended.promise
  }

  /** Stops its process group; nothing before its start (the manager stops a job only once it has started). */
  stop(signal: NodeJS.Signals): void {
    this.group?.stop(signal)
  }

  abstract message(message: JobMessage): boolean

  lost(why: string): void {
    const message = `the spawner process that started ${this.#what} ${why}`
    // It never said the job started: whether a process exists is unknown, and no pid to stop.
    if (this.pid === null) return this.notRun(serializeError(new SpawnerExitError(`${message} before the job started`)))
    // Its output and its exit can no longer reach this process: the job is ended here, not left running unwatched.
    killTree(this.pid, 'SIGKILL')
    const error = jobError(SpawnerExitError, `${message} while the job ran; its process group was killed`)
    this.ended.settle({ exitCode: null, signal: null, error })
  }

  /** The spawner started it as `pid`: returns the stopper of its group. */
  protected began(pid: number): GroupStopper {
    this.pid = pid
    this.group = groupStopper(pid, () => this.ended.settled)
    this.#started.settle(Date.now())
    return this.group
  }

  /** It never ran: it has ended, with `error`, as soon as it was started. */
  protected notRun(error: SerializedError): void {
    this.#started.settle(Date.now())
    this.ended.settle({ exitCode: null, signal: null, error })
  }
}
