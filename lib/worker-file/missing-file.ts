// Whether a worker file is there, checked in the program that starts jobs (start(), map(), the
// CLI), before a process or thread is started for it. Kept apart from load-error.ts, which every
// runtime (runners/*/runtime.ts) loads: this one's imports are of no use there.

import { statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WorkerLoadError } from '../errors.js'
import { loadError, NEXT_TO_MODULE, RELATIVE } from './load-error.js'

/** Worker files seen to exist: a job of a known file costs one lookup, not a stat. */
const present = new Set<string>()

/**
 * The error for a worker file that is not there, checked in this process before any process or
 * thread is started for it; undefined when it exists (or cannot be checked: the import then says
 * why). `given`: the job's `worker` as the caller wrote it, to show how it was resolved.
 */
export function missingWorkerFile(url: string, given?: unknown): WorkerLoadError | undefined {
  if (present.has(url)) return undefined
  const file = fileURLToPath(url)
  try {
    statSync(file)
    present.add(url)
    return undefined
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined
  }
  const relative = typeof given === 'string' && !given.startsWith('file:') && !path.isAbsolute(given)
  const how = relative ? `${JSON.stringify(given)}, resolved against process.cwd() (${process.cwd()}) to ${file},` : file
  return loadError(`worker file ${how} does not exist (${relative ? NEXT_TO_MODULE : `${RELATIVE}; ${NEXT_TO_MODULE}`})`)
}
