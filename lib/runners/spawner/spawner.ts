// One spawner process, seen from the manager's side: it sends each job's order, routes what
// comes back to that job, and, when the process ends, tells the jobs it still had.

import { fork, type ChildProcess } from 'node:child_process'
import type { SpawnerMessage, SpawnOrder } from './protocol.js'

const SPAWNER_RUNTIME = new URL('./runtime.cjs', import.meta.url)

/**
 * Node flags of a spawner: not this process's (a TypeScript loader, --cpu-prof, --inspect are of
 * no use to it), only --single-threaded: V8 then does its GC and compiling on the one thread,
 * and each fork costs the spawner less. Measured with the forkpool command (1000 `true` jobs at
 * -j 2, five runs alternating): its two spawners used 11% less CPU (6.9 s against 7.7 s) and the
 * run took 7% less time. Its fork cost also grows with its anonymous memory, about 10 MB after
 * 200 jobs; flags for a smaller heap (--max-semi-space-size=1, --max-old-space-size, --jitless)
 * measured no smaller.
 */
const EXEC_ARGV: string[] = ['--single-threaded']

/** What a spawner runs: its runtime file, and the node that runs it (both for tests: a runtime that fails, a node that is not there). */
export interface SpawnerFiles {
  runtime?: URL
  execPath?: string
}

/** A spawner's message about one job. */
export type JobMessage = Exclude<SpawnerMessage, { type: 'ready' }>

/** What a job started on a spawner hears of it. */
export interface SpawnerJob {
  /** A message of this job; returns true when it was the job's last (it has ended, for the spawner). */
  message(message: JobMessage): boolean
  /** The spawner ended before the job did: `why` says how. */
  lost(why: string): void
}

export class Spawner {
  readonly #child: ChildProcess
  readonly #jobs = new Map<number, SpawnerJob>()
  #nextId = 0
  /** Reasons this process is kept alive for: being started, and each job in flight. */
  #holds = 0
  /** How the process ended, once it has. */
  #exit = ''
  #isReady = false
  #resolveReady!: (ready: boolean) => void
  readonly #onEnd: (spawner: Spawner, wasReady: boolean) => void
  /** The environment it was forked with, which is its process.env: an order whose environment is this one need not carry it. */
  readonly env: Readonly<Record<string, string | undefined>> = { ...process.env }
  /** True once the spawner listens; false if it ended before. */
  readonly ready = new Promise<boolean>((resolve) => (this.#resolveReady = resolve))

  /** `onEnd` hears the spawner's end, and whether it had been ready. */
  constructor(onEnd: (spawner: Spawner, wasReady: boolean) => void, where: SpawnerFiles = {}) {
    this.#onEnd = onEnd
    this.#child = fork(where.runtime ?? SPAWNER_RUNTIME, [], {
      execPath: where.execPath ?? process.execPath,
      execArgv: EXEC_ARGV,
      env: this.env,
      // Its children's inherited stdout and stderr are this process's.
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Its own session: a terminal's Ctrl-C goes to the manager, which decides what its jobs get.
      detached: true,
    })
    // Never what keeps this process alive, except while it starts or runs a job (#hold).
    this.#hold()
    this.#child.on('message', (message: SpawnerMessage) => this.#route(message))
    this.#child.on('error', (error) => {
      // No process (EAGAIN, ENOMEM): nothing else will come. Otherwise a send to a spawner that just died: its exit tells.
      if (this.#child.pid === undefined) this.#end(`could not start: ${error.message}`)
    })
    // Its last messages may come after 'exit', or its channel close first: it has ended once both have happened.
    let waits = 2
    const ending = (): void => {
      if (--waits === 0) this.#end(this.#exit)
    }
    this.#child.on('exit', (code, signal) => {
      this.#exit = signal === null ? `exited with code ${code}` : `was killed by ${signal}`
      ending()
    })
    this.#child.on('disconnect', ending)
    void this.ready.then((ready) => {
      if (ready) this.#release()
    })
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  /** Jobs in flight on it. */
  get load(): number {
    return this.#jobs.size
  }

  /** Sends the order; `job` hears what becomes of it. */
  run(order: Omit<SpawnOrder, 'id'>, job: SpawnerJob): void {
    const id = this.#nextId++
    this.#jobs.set(id, job)
    this.#hold()
    this.#child.send({ ...order, id })
  }

  #route(message: SpawnerMessage): void {
    if (message.type === 'ready') {
      this.#isReady = true
      this.#resolveReady(true)
      return
    }
    // A job stays until its last message, and nothing comes after the spawner's end: it is there.
    if (this.#jobs.get(message.id)!.message(message)) {
      this.#jobs.delete(message.id)
      this.#release()
    }
  }

  #end(why: string): void {
    const lost = [...this.#jobs.values()]
    this.#jobs.clear()
    this.#resolveReady(false)
    this.#onEnd(this, this.#isReady)
    for (const job of lost) job.lost(why)
  }

  /**
   * Both handles: the channel for the job's messages, the process so that its death, if it
   * comes, is heard (its 'exit') even once the channel has closed.
   */
  #hold(): void {
    if (this.#holds++ > 0) return
    this.#child.ref()
    this.#child.channel!.ref()
  }

  #release(): void {
    if (--this.#holds > 0) return
    this.#child.unref()
    this.#child.channel!.unref()
  }
}
