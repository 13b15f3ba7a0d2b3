/**
 * forkpool: ForkManager, its options and results, the errors and the primitives.
 * @module forkpool
 */
export { ForkManager } from './manager/fork-manager.js'
export {
  AbortError,
  AmbiguousJobError,
  ChannelClosedError,
  DataCloneError,
  DataTooLargeError,
  ForkpoolError,
  ManagerClosedError,
  MaxBufferError,
  OverlapError,
  SpawnerExitError,
  WorkerExitError,
  WorkerLostError,
  JobLostError,
  WorkerLoadError,
  WorkerStartError,
  RedisUnreachableError,
  JobRefusedError,
  QueueError,
} from './errors.js'
export type { ForkManagerOptions, ShutdownOptions } from './manager/options.js'
export { finish, isFinish, type Finish, type WorkerData } from './worker-file/finish.js'
export type { MapJob, MapOptions, MapResult, MapRun } from './map/types.js'
export type { Items } from './map/source.js'
export type { ProcessPoolOptions, ThreadPoolOptions } from './runners/pool/settings.js'
export { Semaphore, type AcquireOptions, type Permit } from './primitives/semaphore.js'
export { parseDuration } from './primitives/duration.js'
export { parseBytes } from './primitives/bytes.js'
export { Channel, type ChannelWaitOptions } from './primitives/channel.js'
export { WaitGroup } from './primitives/wait-group.js'
export type { AbortLike } from './util/cancel-token.js'
export type { InFlightRecord, JobState } from './control/registry.js'
export type { JobStats } from './control/stats.js'
export type { LogMethod, Logger } from './control/log.js'
export type { ResultsOptions } from './control/result-streams.js'
export type { StatusOptions, StatusServer } from './control/status/server.js'
export type {
  CommandJob,
  Duration,
  Isolation,
  JobHandle,
  JobKind,
  JobResult,
  JobSpec,
  JobStartInfo,
  OverlapPolicy,
  BackoffOptions,
  RetryOptions,
  ThreadResourceLimits,
  SerializedError,
  SignalName,
  StartOptions,
  WorkerContext,
  WorkerFunction,
  WorkerJob,
} from './types.js'
