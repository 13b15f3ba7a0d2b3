// Loads a worker file and calls its default export as (data, ctx): the same code for a
// fresh child process, a pool thread and inline mode, so a worker file behaves alike in each.

import { AbortError, DataCloneError, jobError } from '../errors.js'
import { serializeError } from '../util/serialize-error.js'
import { isFinish, type Finish } from './finish.js'
import { defaultExportError, importError } from './load-error.js'
import type { SerializedError, WorkerContext, WorkerFunction } from '../types.js'

/** What a call of a worker function produced, ready to be sent back as a structured clone. */
export type CallReply =
  | { ok: true; exitCode: number; data: unknown }
  | { ok: false; exitCode: 1; error: SerializedError }

const loading = new Map<string, Promise<WorkerFunction>>()
/** The worker functions loaded so far: a job of a loaded file calls it without waiting a turn for the import's promise. */
const loaded = new Map<string, WorkerFunction>()

/** Imports a worker file once per process or thread and checks its default export; rejects with a WorkerLoadError. */
export function loadWorkerFile(url: string): Promise<WorkerFunction> {
  let fn = loading.get(url)
  if (fn === undefined) {
    fn = import(url).then((mod: { default?: unknown }) => {
      if (typeof mod.default !== 'function') throw defaultExportError(url, mod.default)
      loaded.set(url, mod.default as WorkerFunction)
      return mod.default as WorkerFunction
    }, async (error: unknown) => {
      // A WorkerLoadError, coded, so that it is told apart from an item's failure once serialized (map() stops on it).
      throw await importError(url, error)
    })
    loading.set(url, fn)
  }
  return fn
}

/**
 * A WorkerContext whose AbortSignal is made on first use, so the runner can tell
 * whether the worker function listens for cancellation at all (`listening`).
 */
export class CallContext implements WorkerContext {
  readonly ident: string
  readonly attempt: number
  readonly jobId: string | null
  #controller: AbortController | undefined
  #abortReason: unknown
  #aborted = false
  /** Set once the worker function has been called: before that, a stop means "do not call it". */
  started = false
  /** Called once, when the worker function first reads `ctx.signal` (a fresh process installs its stop handlers then). */
  onListen: (() => void) | undefined

  /** `attempt`: the manager's try number, 1-based; `jobId`: the queue's id of a remote job, null for a local one. */
  constructor(ident: string, attempt = 1, jobId: string | null = null) {
    this.ident = ident
    this.attempt = attempt
    this.jobId = jobId
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort(this.#abortReason)
      this.onListen?.()
    }
    return this.#controller.signal
  }

  /** True once the worker function has looked at `ctx.signal`. */
  get listening(): boolean {
    return this.#controller !== undefined
  }

  get aborted(): boolean {
    return this.#aborted
  }

  abort(reason: unknown): void {
    this.#aborted = true
    this.#abortReason = reason
    this.#controller?.abort(reason)
  }
}

/** Calls the worker function and turns whatever happens into a CallReply; never throws. */
export async function callWorkerFile(url: string, data: unknown, ctx: CallContext): Promise<CallReply> {
  try {
    const fn = loaded.get(url) ?? (await loadWorkerFile(url))
    if (ctx.aborted) {
      // Stopped before it was called (while its file loaded, or in the batch of orders that brought it): it never begins.
      throw new AbortError(`job ${JSON.stringify(ctx.ident)} was stopped before it began`)
    }
    ctx.started = true
    const value = await fn(data, ctx)
    // A returned mark: a worker file built against a forkpool whose finish() returned it.
    return isFinish(value) ? finishReply(value) : { ok: true, exitCode: 0, data: value }
  } catch (error) {
    // finish() throws its mark: called as a statement or returned, it ends the job with its code and data.
    return isFinish(error) ? finishReply(error) : { ok: false, exitCode: 1, error: serializeError(error) }
  }
}

function finishReply(mark: Finish): CallReply {
  return { ok: true, exitCode: mark.exitCode, data: mark.data }
}

/** A reply for a result that cannot cross to the parent (functions, symbols, class instances with native state…). */
export function uncloneableReply(url: string, cause: unknown): CallReply {
  // Both the IPC serializer and structuredClone throw a DataCloneError, an Error.
  const reason = (cause as Error).message
  return {
    ok: false,
    exitCode: 1,
    error: jobError(DataCloneError, `the result of worker ${url} cannot be sent to the parent (structured clone failed: ${reason})`),
  }
}
