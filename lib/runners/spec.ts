// Checks a job spec at the call and turns it into the one shape the runners take.

import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { cwdMemo } from '../util/cwd-memo.js'
import { describe } from '../util/describe.js'
import {
  elsewhere, invalidType, optionHint, optionKeys, outOfRange, unknownOption,
  validateBoolean, validateInteger, validateNumberAbove, validateObject,
  validateOneOf, validateString, validateStringArray,
} from '../util/validate.js'
import type { Isolation, StartOptions, ThreadResourceLimits } from '../types.js'

export interface CommandSpec {
  type: 'command'
  command: string
  args: string[]
  cwd?: string
  env?: Record<string, string | undefined>
  input?: string | Uint8Array
  capture: boolean
  maxBuffer: number
  shell: boolean
  /** How captured output becomes text (absent: 'utf8'); 'latin1' keeps every byte, one character each. */
  encoding?: CaptureEncoding
}

export type CaptureEncoding = 'utf8' | 'latin1'
const ENCODINGS: readonly CaptureEncoding[] = ['utf8', 'latin1']

export interface WorkerSpec {
  type: 'worker'
  /** The worker file as a `file:` URL. */
  url: string
  data: unknown
  isolation: Isolation
  execArgv: string[]
  resourceLimits?: ThreadResourceLimits
  cwd?: string
  env?: Record<string, string | undefined>
}

export type NormalizedJob = CommandSpec | WorkerSpec

const COMMAND_KEYS = new Set(['command', 'args', 'cwd', 'env', 'input', 'capture', 'maxBuffer', 'shell', 'encoding'])
const DEFAULT_MAX_BUFFER = 32 * 1024 * 1024
const WORKER_KEYS = new Set(['worker', 'data', 'isolation', 'execArgv', 'resourceLimits', 'cwd', 'env'])
const LIMIT_KEYS = optionKeys<ThreadResourceLimits>({
  maxOldGenerationSizeMb: true, maxYoungGenerationSizeMb: true, codeRangeSizeMb: true, stackSizeMb: true,
})
const ISOLATIONS: readonly Isolation[] = ['process', 'process-pool', 'thread']
const TYPESCRIPT = /\.[cm]?tsx?$/
/** Every key a job may have, of either kind: other options objects point a misplaced one here. */
export const JOB_KEYS: ReadonlySet<string> = new Set([...COMMAND_KEYS, ...WORKER_KEYS])
/** start()'s options, here rather than with start() so that a job given one can say where it goes. */
export const START_OPTION_KEYS = optionKeys<StartOptions>({
  timeout: true, killGrace: true, signal: true, name: true, onOverlap: true, label: true, retries: true,
})
const START_ELSEWHERE = elsewhere(START_OPTION_KEYS, (key) => `the start() option ${key}`)

// `unknown`, not a JobSpec: plain JavaScript callers pass anything, and each wrong thing gets its own error.
export function normalizeJob(job: unknown): NormalizedJob {
  if (typeof job !== 'object' || job === null || Array.isArray(job)) {
    throw invalidType('a job', 'an object like { command: \'ls\' } or { worker: \'./work.js\' }', job)
  }
  const f = readFields(job)
  if (f.hasCommand === f.hasWorker) {
    throw new TypeError(f.hasCommand
      ? 'a job has either command or worker, not both'
      : `a job needs a command or a worker, got an object with keys [${Object.keys(job).join(', ')}]`)
  }
  const unknown = f.hasCommand ? f.notCommand : f.notWorker
  if (unknown !== undefined) {
    const hint = optionHint(unknown, f.hasCommand ? COMMAND_KEYS : WORKER_KEYS, START_ELSEWHERE)
    throw new TypeError(`${f.hasCommand ? 'a command job' : 'a worker job'} has no option ${describe(unknown)}; ${hint}`)
  }
  const cwd = f.cwd === undefined ? undefined : validateString(f.cwd, 'job.cwd', true)
  const env = f.env === undefined ? undefined : validateEnv(f.env)
  return f.hasCommand ? commandSpec(f, cwd, env) : workerSpec(f, cwd, env)
}

/** A job spec's own fields (undefined when absent), and what the checks need to know of its keys. */
interface Fields {
  command: unknown
  args: unknown
  input: unknown
  capture: unknown
  maxBuffer: unknown
  shell: unknown
  encoding: unknown
  worker: unknown
  data: unknown
  isolation: unknown
  execArgv: unknown
  resourceLimits: unknown
  cwd: unknown
  env: unknown
  /** Whether the key is there, whatever its value. */
  hasCommand: boolean
  hasWorker: boolean
  /** The first key a command job does not take, and the first a worker job does not take. */
  notCommand: string | undefined
  notWorker: string | undefined
}

/**
 * Reads a spec's own fields in one for-in pass. Jobs are usually made by spread ({ ...job, data }),
 * and on such an object V8 answers plain property reads slower than reads inside a for-in over it:
 * written with plain reads, start() cost more on Node 20, 22 and 24 (bench/README.md, "Hot-path code").
 */
function readFields(spec: object): Fields {
  const f: Fields = {
    command: undefined, args: undefined, input: undefined, capture: undefined, maxBuffer: undefined, shell: undefined, encoding: undefined,
    worker: undefined, data: undefined, isolation: undefined, execArgv: undefined, resourceLimits: undefined,
    cwd: undefined, env: undefined, hasCommand: false, hasWorker: false, notCommand: undefined, notWorker: undefined,
  }
  for (const key in spec) {
    if (!Object.hasOwn(spec, key)) continue
    const value: unknown = (spec as Record<string, unknown>)[key]
    switch (key) {
      case 'command': f.command = value; f.hasCommand = true; break
      case 'args': f.args = value; break
      case 'input': f.input = value; break
      case 'capture': f.capture = value; break
      case 'maxBuffer': f.maxBuffer = value; break
      case 'shell': f.shell = value; break
      case 'encoding': f.encoding = value; break
      case 'worker': f.worker = value; f.hasWorker = true; break
      case 'data': f.data = value; break
      case 'isolation': f.isolation = value; break
      case 'execArgv': f.execArgv = value; break
      case 'resourceLimits': f.resourceLimits = value; break
      case 'cwd': f.cwd = value; break
      case 'env': f.env = value; break
    }
    if (f.notCommand === undefined && !COMMAND_KEYS.has(key)) f.notCommand = key
    if (f.notWorker === undefined && !WORKER_KEYS.has(key)) f.notWorker = key
  }
  return f
}

function commandSpec(f: Fields, cwd: string | undefined, env: CommandSpec['env']): CommandSpec {
  const command = validateString(f.command, 'job.command', true)
  const { input } = f
  if (input !== undefined && typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw invalidType('job.input', 'a string or a Uint8Array', input)
  }
  const out: CommandSpec = {
    type: 'command',
    command,
    args: f.args === undefined ? [] : [...validateStringArray(f.args, 'job.args')],
    capture: f.capture === undefined ? false : validateBoolean(f.capture, 'job.capture'),
    maxBuffer: f.maxBuffer === undefined ? DEFAULT_MAX_BUFFER : validateInteger(f.maxBuffer, 'job.maxBuffer', 1),
    shell: f.shell === undefined ? false : validateBoolean(f.shell, 'job.shell'),
  }
  if (f.encoding !== undefined) out.encoding = validateOneOf(f.encoding, 'job.encoding', ENCODINGS)
  if (cwd !== undefined) out.cwd = cwd
  if (env !== undefined) out.env = env
  if (input !== undefined) out.input = input
  return out
}

/** execArgv of a JavaScript worker file's job that names none: one frozen array, not one per job (nothing changes it). */
const NO_ARGS: string[] = Object.freeze([]) as unknown as string[]

function workerSpec(f: Fields, cwd: string | undefined, env: WorkerSpec['env']): WorkerSpec {
  const { url, typescript } = workerFile(f.worker)
  const isolation = f.isolation === undefined ? 'process' : validateOneOf(f.isolation, 'job.isolation', ISOLATIONS)
  const execArgv = f.execArgv === undefined ? undefined : validateStringArray(f.execArgv, 'job.execArgv')
  const out: WorkerSpec = {
    type: 'worker',
    url,
    data: f.data,
    isolation,
    // A TypeScript worker file needs the loader this process runs under; a JavaScript one starts faster without it.
    execArgv: execArgv ? [...execArgv] : typescript ? [...process.execArgv] : NO_ARGS,
  }
  if (f.resourceLimits !== undefined) {
    const limits = resourceLimits(f.resourceLimits)
    if (out.isolation !== 'thread') {
      throw new TypeError(`job.resourceLimits applies to isolation 'thread'; for a process use execArgv: ['--max-old-space-size=MB']`)
    }
    out.resourceLimits = limits
  }
  if (out.isolation === 'thread' && (cwd !== undefined || env !== undefined)) {
    throw new TypeError(`job.${cwd !== undefined ? 'cwd' : 'env'} applies to processes; a thread shares this process's working directory ` +
      `and environment`)
  }
  if (cwd !== undefined) out.cwd = cwd
  if (env !== undefined) out.env = env
  return out
}

/** job.resourceLimits: an object of LIMIT_KEYS, each a number of megabytes above 0. */
function resourceLimits(value: unknown): ThreadResourceLimits {
  const out: Record<string, number> = {}
  for (const [key, limit] of Object.entries(validateObject(value, 'job.resourceLimits'))) {
    if (!LIMIT_KEYS.has(key)) throw unknownOption(key, 'job.resourceLimits', LIMIT_KEYS)
    out[key] = validateNumberAbove(limit, `job.resourceLimits.${key}`, 0)
  }
  return out
}

/** job.env: an object of strings (an undefined value unsets the variable). */
function validateEnv(value: unknown): Record<string, string | undefined> {
  const stringsOnly = (record: object): boolean => Object.values(record).every((v) => v === undefined || typeof v === 'string')
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !stringsOnly(value)) {
    throw invalidType('job.env', 'an object of strings', value)
  }
  return value as Record<string, string | undefined>
}

/** A worker file given as a path (relative to the current directory), an absolute path or a `file:` URL. */
export function workerUrl(worker: unknown): string {
  return workerFile(worker).url
}

interface WorkerFile {
  url: string
  /** A .ts, .mts or .cts file: it needs the TypeScript loader this process runs under. */
  typescript: boolean
}

const WORKER_EXPECTED = 'a path or a file: URL'

function workerFile(worker: unknown): WorkerFile {
  // A URL object can change after a start, so only strings are remembered.
  if (worker === '') throw outOfRange('job.worker', WORKER_EXPECTED, worker)
  if (typeof worker === 'string') return resolveWorkerString(worker)
  if (worker instanceof URL) return fileUrl(worker)
  throw invalidType('job.worker', WORKER_EXPECTED, worker)
}

const resolveWorkerString = cwdMemo((worker): WorkerFile => {
  if (worker.startsWith('file:')) return fileUrl(worker)
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(worker)) throw outOfRange('job.worker', WORKER_EXPECTED, worker)
  return fileUrl(pathToFileURL(path.resolve(worker)))
})

function fileUrl(worker: string | URL): WorkerFile {
  const url = new URL(worker)
  if (url.protocol !== 'file:') throw outOfRange('job.worker', WORKER_EXPECTED, url.href)
  return { url: url.href, typescript: TYPESCRIPT.test(url.pathname) }
}

/** Data for a worker job must survive a structured clone; say so at the call, not as a failed job later. */
export function assertCloneable(data: unknown, ident: string): void {
  if (data === null || (typeof data !== 'object' && typeof data !== 'function' && typeof data !== 'symbol')) return
  try {
    structuredClone(data)
  } catch (error) {
    throw uncloneable(ident, error as Error)
  }
}

/** The TypeError of a job whose data structured clone (or v8.serialize, its format) cannot copy. */
export function uncloneable(ident: string, error: Error): TypeError {
  return new TypeError(`start(${JSON.stringify(ident)}): job.data cannot be sent to a worker (structured clone failed: ${error.message})`)
}
