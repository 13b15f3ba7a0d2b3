// What the parent (runner.ts) hands a pool thread and what the thread (runtime.ts) answers. Its
// own file, because the parent must not import the runtime, not even for its types.

import type { WorkerReply } from '../../worker/call.js'

export interface ThreadTask {
  taskId: number
  url: string
  ident: string
  /** ctx.attempt */
  attempt: number
  /** ctx.jobId: set only for a remote job, on an agent. */
  jobId?: string
  data: unknown
}

export type ThreadReply = WorkerReply & { threadId: number }
