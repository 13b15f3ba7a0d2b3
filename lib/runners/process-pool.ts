// isolation 'process-pool': worker files in long-lived Node child processes that take job after
// job, so a job pays for an IPC round trip instead of a Node start-up. Processes are grouped by
// what is fixed at spawn (execArgv, cwd, env); the manager's cap bounds how many run at once.

import type { WorkerSpec } from '../job-spec.js'
import { parseBytes } from '../primitives/bytes.js'
import { describe } from '../primitives/describe.js'
import { parseDuration } from '../primitives/duration.js'
import type { Duration, SerializedError } from '../types.js'
import type { Execution } from './execution.js'
import { PoolWorker } from './pool-worker.js'

/** Options of the reused worker processes (ForkManagerOptions.processPool). */
export interface ProcessPoolOptions {
  /** Recycle a process after this many jobs (for leaky code). Default: Infinity. */
  maxTasksPerWorker?: number
  /** Recycle a process whose resident memory passed this, checked after each job: bytes or `'512MB'`. Default: Infinity. */
  maxWorkerMemory?: number | string
  /** End a process that has been idle this long. Default `'5s'`; Infinity keeps idle processes (they never keep the manager's process alive). */
  idleTimeout?: Duration
}

export interface ProcessPoolSettings {
  maxTasksPerWorker: number
  maxWorkerMemory: number
  idleTimeoutMs: number
}

const OPTION_KEYS = new Set(['maxTasksPerWorker', 'maxWorkerMemory', 'idleTimeout'])
const DEFAULT_IDLE_MS = 5_000

/** Checks ForkManagerOptions.processPool at the manager's construction. */
export function processPoolSettings(options: ProcessPoolOptions | undefined): ProcessPoolSettings {
  if (options === undefined) return { maxTasksPerWorker: Infinity, maxWorkerMemory: Infinity, idleTimeoutMs: DEFAULT_IDLE_MS }
  if (typeof options !== 'object' || options === null) throw new TypeError(`processPool options must be an object, got ${describe(options)}`)
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new TypeError(`processPool has no option ${JSON.stringify(key)}; it takes ${[...OPTION_KEYS].join(', ')}`)
  }
  const { maxTasksPerWorker = Infinity } = options
  if (maxTasksPerWorker !== Infinity && !(Number.isInteger(maxTasksPerWorker) && maxTasksPerWorker >= 1)) {
    throw new RangeError(`processPool.maxTasksPerWorker must be a whole number from 1, or Infinity, got ${describe(maxTasksPerWorker)}`)
  }
  return {
    maxTasksPerWorker,
    maxWorkerMemory: options.maxWorkerMemory === undefined ? Infinity : parseBytes(options.maxWorkerMemory, 'processPool.maxWorkerMemory'),
    idleTimeoutMs: options.idleTimeout === undefined ? DEFAULT_IDLE_MS : parseDuration(options.idleTimeout, 'processPool.idleTimeout'),
  }
}

interface Group {
  free: PoolWorker[]
  /** Whether a process of this group ever got ready: until then a start-up failure is the group's, not a fluke. */
  started: boolean
  /** Set when the first process of the group could not start: its jobs then fail at once, without a respawn. */
  startError?: SerializedError
}

export class ProcessPool {
  readonly #settings: ProcessPoolSettings
  readonly #groups = new Map<string, Group>()
  readonly #workers = new Set<PoolWorker>()
  #nextTask = 0

  constructor(settings: ProcessPoolSettings) {
    this.#settings = settings
  }

  start(spec: WorkerSpec, ident: string): Execution {
    const group = this.#group(spec)
    if (group.startError !== undefined) {
      return { kind: 'process-pool', pid: null, outcome: Promise.resolve({ exitCode: null, signal: null, error: group.startError }), stop() {} }
    }
    const worker = group.free.pop() ?? this.#spawn(spec, group)
    return worker.run({ id: ++this.#nextTask, url: spec.url, ident, data: spec.data })
  }

  /** Ends every process; the manager calls it once no job is running. */
  async close(): Promise<void> {
    for (const worker of this.#workers) worker.retire()
    await Promise.all([...this.#workers].map((worker) => worker.gone))
  }

  #group(spec: WorkerSpec): Group {
    const key = JSON.stringify([spec.execArgv, spec.cwd ?? null, spec.env ?? null])
    let group = this.#groups.get(key)
    if (group === undefined) {
      group = { free: [], started: false }
      this.#groups.set(key, group)
    }
    return group
  }

  #spawn(spec: WorkerSpec, group: Group): PoolWorker {
    const worker = new PoolWorker(spec, {
      ready: () => (group.started = true),
      free: (w, rss) => {
        if (w.tasks >= this.#settings.maxTasksPerWorker || rss > this.#settings.maxWorkerMemory) {
          w.retire()
          return
        }
        // Last in, first out: the busiest processes stay warm and the spare ones reach their idle timeout.
        group.free.push(w)
        w.park(this.#settings.idleTimeoutMs, () => {
          group.free.splice(group.free.indexOf(w), 1)
          w.retire()
        })
      },
      gone: (w, startError) => {
        this.#workers.delete(w)
        const at = group.free.indexOf(w)
        if (at >= 0) group.free.splice(at, 1)
        if (startError !== null && !group.started) group.startError = startError
      },
    }, this.#settings.maxWorkerMemory !== Infinity)
    this.#workers.add(worker)
    return worker
  }
}
