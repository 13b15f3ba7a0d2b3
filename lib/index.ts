export { ForkManager, type ForkManagerOptions } from './fork-manager.js'
export { finish, type Finish } from './finish.js'
export type { MapJob, MapOptions, MapResult, MapRun } from './map-types.js'
export type { Items } from './map-source.js'
export type { ProcessPoolOptions } from './runners/process-pool.js'
export { Semaphore, type Permit } from './primitives/semaphore.js'
export { parseDuration } from './primitives/duration.js'
export type {
  CommandJob,
  Duration,
  Isolation,
  JobHandle,
  JobKind,
  JobResult,
  JobSpec,
  JobStartInfo,
  SerializedError,
  StartOptions,
  WorkerContext,
  WorkerFunction,
  WorkerJob,
} from './types.js'
