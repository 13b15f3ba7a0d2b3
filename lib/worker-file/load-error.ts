// A worker file that cannot load, said so that its reader can act: which file, resolved how, and
// (for a syntax error) at which line. Node's own errors name neither the file of an ES module's
// syntax error nor anything but forkpool's internals as the importer of a missing one.

import { fileURLToPath } from 'node:url'
import { WorkerLoadError } from '../errors.js'
import { serializeError } from '../util/serialize-error.js'
import { describe } from '../util/describe.js'

export const RELATIVE = 'a relative worker path is resolved against process.cwd() of the program that starts the job'
export const NEXT_TO_MODULE = "new URL('./worker.js', import.meta.url) names a file next to your module, wherever the program is started " +
  'from'
const TYPESCRIPT = /\.[cm]?tsx?$/
const JAVASCRIPT = /\.[cm]?js$/

/** The error of a worker file whose import failed with `cause`. */
export async function importError(url: string, cause: unknown): Promise<WorkerLoadError> {
  const file = fileURLToPath(url)
  const { name, message, code, stack } = serializeError(cause)
  // "Cannot find module '/x/worker.js' imported from …/forkpool/dist/lib/worker-file/call.js": the worker
  // file itself is missing (a loader's hooks may throw it without ERR_MODULE_NOT_FOUND).
  if (message.includes(`Cannot find module '${file}'`)) {
    return loadError(`worker file ${file} does not exist (${RELATIVE}; ${NEXT_TO_MODULE})`)
  }
  let text = `worker file ${file} failed to load: ${name}${code === undefined ? '' : ` [${code}]`}: ${message}`
  let detail = stack
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && TYPESCRIPT.test(file)) {
    text += '. Plain Node runs no TypeScript: start the program under a TypeScript loader (node --import tsx app.ts; the worker inherits ' +
      'it), or point job.worker at the compiled .js (see docs/worker-files.md)'
  } else if (name === 'SyntaxError') {
    const at = await syntaxErrorAt(file, stack)
    if (at !== undefined) {
      text += at.file === file ? ` (line ${at.line})` : ` (in ${at.file}, line ${at.line})`
      detail = at.excerpt
    }
  }
  return loadError(text, detail, cause)
}

/** The error of a worker file whose default export is not a function. */
export function defaultExportError(url: string, value: unknown): WorkerLoadError {
  return loadError(`worker file ${fileURLToPath(url)} must default-export a function (data, ctx) => result, but its default export is ` +
    `${describe(value)}`)
}

/** A WorkerLoadError whose stack shows the cause (or the source line), not forkpool's loader. */
export function loadError(message: string, detail?: string, cause?: unknown): WorkerLoadError {
  const error = cause === undefined ? new WorkerLoadError(message) : new WorkerLoadError(message, { cause })
  error.stack = detail === undefined ? `WorkerLoadError: ${message}` : `WorkerLoadError: ${message}\n\n${detail}`
  return error
}

/**
 * Where a syntax error is: Node puts it at the head of a CommonJS file's stack, but keeps it
 * hidden for an ES module, where only `node --check` prints it. That costs a Node start (about
 * 0.1 s), paid only by a file that failed to load, once per process or thread that loaded it;
 * child_process is loaded only then, so a child's start-up does not pay for it.
 */
async function syntaxErrorAt(file: string, stack: string | undefined): Promise<SourcePlace | undefined> {
  const head = located(String(stack))
  if (head !== undefined || !JAVASCRIPT.test(file)) return head
  const { spawnSync } = await import('node:child_process')
  // A bare syntax check: none of this process's environment (its IPC channel, its preloads, a test runner's hooks).
  const check = spawnSync(process.execPath, ['--check', file], {
    encoding: 'utf8', timeout: 10_000, env: {}, stdio: ['ignore', 'ignore', 'pipe'],
  })
  return located(String(check.stderr))
}

interface SourcePlace {
  file: string
  line: number
  /** Node's "FILE:LINE", the source line and a caret under the fault. */
  excerpt: string
}

/** Node's "FILE:LINE / source line / caret" head of a syntax error, when the text starts with one. */
function located(text: string): SourcePlace | undefined {
  const match = /^(\/.*|file:.*):(\d+)\n/.exec(text)
  if (match === null) return undefined
  const end = text.indexOf('\n\n')
  const file = match[1]!.startsWith('file:') ? fileURLToPath(match[1]!) : match[1]!
  return { file, line: Number(match[2]), excerpt: (end === -1 ? text : text.slice(0, end)).trimEnd() }
}
