// The spawners of this process. They belong to the process, not to one manager: what a spawn
// costs depends on the size of the process that forks, so every manager of the process shares
// them. They start with the process's first command job or fresh process (a manager that
// runs none never pays for them), or earlier with ForkManager.warm(), for a program that grows
// before that.

import { availableParallelism } from 'node:os'
import { forkerOf, Spawner, type SpawnerFiles } from './spawner.js'

/**
 * Two spawners: with Node spawners, two keep two cores forking; with the native forker, one
 * starts commands as fast as two (1000 /bin/true at cap 2: 2.8-3.0 ms per job either way,
 * three runs alternating), and a second keeps commands starting while one is replaced.
 */
export function defaultSpawnerCount(): number {
  return Math.min(2, availableParallelism())
}

/** Spawners in a row that ended before they were ready, after which the set gives up (see pick()). */
const FAILED_STARTS_ALLOWED = 3

export class SpawnerSet {
  readonly #live: Spawner[] = []
  /** How many live spawners the set keeps: the most any manager asked for. */
  #size = 0
  #failedStarts = 0
  readonly #files: SpawnerFiles

  constructor(files: SpawnerFiles = {}) {
    this.#files = files
  }

  /** Keeps at least `count` spawners from now on, and starts the missing ones now. */
  grow(count: number): this {
    this.#size = Math.max(this.#size, count)
    this.#fill()
    return this
  }

  /** Starts the spawners (`count`, or as many as are kept) if they are not running; resolves once they listen. */
  async warm(count = this.#size || defaultSpawnerCount()): Promise<void> {
    this.grow(count)
    await Promise.all(this.#live.map((spawner) => spawner.ready))
  }

  /**
   * The spawner for the next job, the least busy. None
   * (the caller spawns directly) once spawners keep dying before they are ready: a machine that
   * cannot start them still runs its jobs.
   */
  pick(): Spawner | undefined {
    if (this.#size === 0) this.#size = defaultSpawnerCount()
    this.#fill()
    let best: Spawner | undefined
    for (const spawner of this.#live) if (best === undefined || spawner.load < best.load) best = spawner
    return best
  }

  /**
   * The spawner for the next fresh process: only a native forker can hand a child its
   * IPC channel (process/spawned.ts). Node spawners are not started for it: undefined, and the
   * child is forked from this process as without spawners.
   */
  pickNative(): Spawner | undefined {
    return forkerOf(this.#files) === false ? undefined : this.pick()
  }

  /** The pids of the live spawners. */
  get pids(): number[] {
    return this.#live.flatMap((spawner) => (spawner.pid === undefined ? [] : [spawner.pid]))
  }

  #fill(): void {
    if (this.#failedStarts >= FAILED_STARTS_ALLOWED) return
    while (this.#live.length < this.#size) this.#live.push(new Spawner((spawner, wasReady) => this.#ended(spawner, wasReady), this.#files))
  }

  #ended(spawner: Spawner, wasReady: boolean): void {
    this.#live.splice(this.#live.indexOf(spawner), 1)
    this.#failedStarts = wasReady ? 0 : this.#failedStarts + 1
    // Replaced now rather than at the next job, which would wait for the fork.
    this.#fill()
    if (this.#failedStarts === FAILED_STARTS_ALLOWED) {
      process.emitWarning(`forkpool: ${FAILED_STARTS_ALLOWED} spawner processes in a row ended before they were ready; commands start ` +
        `directly from now on`, 'ForkpoolSpawnerWarning')
    }
  }
}

let shared: SpawnerSet | undefined

/** This process's spawners, shared by every manager; none is started until one is asked for. */
export function processSpawners(): SpawnerSet {
  return (shared ??= new SpawnerSet())
}
