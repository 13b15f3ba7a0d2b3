// The command line, checked: every option's value, the command, and where its arguments come from.

import { availableParallelism } from 'node:os'
import { parseDuration } from '../primitives/duration.js'
import { parseArgv, SEPARATORS } from './argv.js'
import { parseHalt, type HaltPolicy } from './halt.js'
import { UsageError } from './usage.js'

/** One input source: `::: words`, a file (`::::`, `-a`; `-` is stdin), or stdin when none is given. */
export type SourceSpec =
  | { kind: 'words'; words: string[]; linked: boolean }
  | { kind: 'file'; file: string; linked: boolean }

export interface CliOptions {
  help: boolean
  version: boolean
  jobs: number
  delayMs: number
  /** Milliseconds; undefined: no timeout. */
  timeoutMs: number | undefined
  /** Runs of a failing job in all (GNU's --retries); 1 runs it once. */
  tries: number
  halt: HaltPolicy | null
  /** Bytes that must be free for a job to start. */
  memfree: number | undefined
  /** The load average below which a job may start. */
  load: number | undefined
  nice: number | undefined
  sources: SourceSpec[]
  link: boolean
  /** The record separator of files and stdin. */
  delimiter: string
  noRunIfEmpty: boolean
  colsep: RegExp | undefined
  /** --trim: white space taken off each value (each column with --colsep): l left, r right, lr both, n none. */
  trim: 'n' | 'l' | 'r' | 'lr'
  header: boolean
  /** -n: at most this many arguments per job (with -m/-X: per command line); 0: one per job, none inserted. */
  maxArgs: number | undefined
  /** -N: this many arguments per job, as {1}..{N}; 0: one per job, none inserted. */
  nArgs: number | undefined
  /** -m (spread, inserted together) or -X (spread, context replace). */
  multi: 'm' | 'X' | undefined
  /** -I: the string that stands for the argument instead of {}. */
  replace: string | undefined
  pipe: boolean
  blockBytes: number
  recstart: string
  recend: string
  keepOrder: boolean
  grouping: 'group' | 'line' | 'ungroup'
  tag: boolean
  tagstring: string | undefined
  joblog: string | undefined
  resume: 'none' | 'all' | 'failed'
  results: string | undefined
  dryRun: boolean
  verbose: boolean
  /** 'tty': on stderr when it is a terminal; 'always': whatever stderr is. */
  bar: 'off' | 'tty' | 'always'
  shell: boolean
  quote: boolean
  worker: string | undefined
  isolation: 'process' | 'process-pool' | 'thread'
  /** Serve the status endpoint on this loopback port while the run lasts (0: any free port). */
  statusPort: number | undefined
  /** The endpoint's token for cancelling over HTTP (--status-token, else FORKPOOL_STATUS_TOKEN); undefined: cancelling off. */
  statusToken: string | undefined
  /** Where the jobs run instead of here: `forkpool worker` agents on this Redis queue; undefined: here. */
  remote: { url: string; queue: string } | undefined
  /** The command and its argument words, replacement strings still in them. */
  command: string[]
}

/** -j 0: GNU parallel runs as many as its file handles allow, which is about this many. */
export const AS_MANY_AS_POSSIBLE = 256

export function parseCommandLine(argv: readonly string[]): CliOptions {
  const { values: v, rest } = parseArgv(argv)
  const str = (name: string): string | undefined => v.get(name) as string | undefined
  const flag = (name: string): boolean => v.get(name) === true
  const { command, sources } = splitSources(rest, (v.get('arg-file') as string[] | undefined) ?? [])
  const given = (name: string, parse: (text: string) => number): number | undefined =>
    (str(name) === undefined ? undefined : parse(str(name)!))
  const parsed: CliOptions = {
    help: flag('help'),
    version: flag('version'),
    jobs: parseJobs(str('P') ?? str('jobs')),
    delayMs: given('delay', (t) => parseSeconds(t, '--delay')) ?? 0,
    timeoutMs: given('timeout', (t) => parseSeconds(t, '--timeout')),
    tries: Math.max(1, given('retries', (t) => parseCount(t, '--retries')) ?? 1),
    halt: str('halt') === undefined ? null : parseHalt(str('halt')!),
    memfree: given('memfree', (t) => parseSize(t, '--memfree')),
    load: given('load', parseLoad),
    nice: given('nice', (t) => parseInteger(t, '--nice')),
    sources,
    link: flag('link'),
    delimiter: flag('null') ? '\0' : str('delimiter') === undefined ? '\n' : unescape(str('delimiter')!),
    noRunIfEmpty: flag('no-run-if-empty'),
    colsep: str('colsep') === undefined ? undefined : parseRegExp(str('colsep')!, '--colsep'),
    // GNU parallel trims both ends by default with --colsep, nothing without.
    trim: parseTrim(str('trim') ?? (str('colsep') === undefined ? 'n' : 'lr')),
    header: str('header') !== undefined,
    maxArgs: given('max-args', (t) => parseCount(t, '-n/--max-args')),
    nArgs: given('N', (t) => parseCount(t, '-N')),
    multi: flag('X') ? 'X' : flag('m') ? 'm' : undefined,
    replace: str('replace'),
    pipe: flag('pipe'),
    blockBytes: given('block', (t) => parseSize(t, '--block')) ?? 1024 * 1024,
    recstart: unescape(str('recstart') ?? ''),
    recend: unescape(str('recend') ?? (str('recstart') === undefined ? '\\n' : '')),
    keepOrder: flag('keep-order'),
    grouping: flag('ungroup') ? 'ungroup' : flag('line-buffer') ? 'line' : 'group',
    tag: flag('tag') || str('tagstring') !== undefined,
    tagstring: str('tagstring'),
    joblog: str('joblog'),
    resume: flag('resume-failed') ? 'failed' : flag('resume') ? 'all' : 'none',
    results: str('results'),
    dryRun: flag('dry-run'),
    verbose: flag('verbose'),
    bar: flag('force-bar') ? 'always' : flag('bar') || flag('eta') ? 'tty' : 'off',
    shell: flag('shell'),
    quote: flag('quote'),
    worker: str('worker'),
    isolation: parseIsolation(str('isolation')),
    statusPort: given('status-port', parsePort),
    statusToken: parseStatusToken(str('status-token'), v.has('status-port')),
    remote: parseRemote(str('redis'), str('queue')),
    command,
  }
  if (!parsed.help && !parsed.version) checkCombinations(parsed, v.has('isolation'))
  return parsed
}

/** The command, up to the first separator, and the input sources after it (and -a's, first). */
export function splitSources(rest: readonly string[], argFiles: readonly string[]): { command: string[]; sources: SourceSpec[] } {
  const sources: SourceSpec[] = argFiles.map((file) => ({ kind: 'file', file, linked: false }))
  const first = rest.findIndex((word) => SEPARATORS.has(word))
  const command = first === -1 ? [...rest] : rest.slice(0, first)
  let separator = ''
  for (const word of first === -1 ? [] : rest.slice(first)) {
    if (SEPARATORS.has(word)) {
      separator = word
      if (!separator.startsWith('::::')) sources.push({ kind: 'words', words: [], linked: separator === ':::+' })
      continue
    }
    if (separator.startsWith('::::')) {
      // Each file after `::::` is a source of its own; `::::+` links the first to the one before.
      sources.push({ kind: 'file', file: word, linked: separator === '::::+' })
      separator = '::::'
    } else {
      ;(sources.at(-1) as { words: string[] }).words.push(word)
    }
  }
  return { command, sources }
}

/**
 * --redis URL --queue NAME, or --queue NAME alone with FORKPOOL_REDIS_URL set. The variable alone
 * sends nothing away: it is also the agents' setting, and a plain run on their machine stays local.
 */
function parseRemote(url: string | undefined, queue: string | undefined): CliOptions['remote'] {
  if (url === undefined && queue === undefined) return undefined
  if (queue === undefined) throw new UsageError('--redis needs --queue NAME: the queue the agents take jobs from')
  const fromEnv = url ?? process.env.FORKPOOL_REDIS_URL
  if (fromEnv === undefined || fromEnv === '') throw new UsageError('--queue needs --redis URL, or FORKPOOL_REDIS_URL set to the Redis URL')
  return { url: fromEnv, queue }
}

function checkCombinations(o: CliOptions, isolationGiven: boolean): void {
  if (o.worker === undefined && o.command.length === 0) throw new UsageError('missing command: give a COMMAND, or --worker FILE')
  const both = o.worker !== undefined && o.command.length > 0
  if (both) throw new UsageError(`give a COMMAND or --worker FILE, not both (got command ${JSON.stringify(o.command[0])})`)
  if (isolationGiven && o.worker === undefined) throw new UsageError('--isolation applies to --worker only')
  if (o.worker !== undefined && (o.shell || o.pipe || o.grouping !== 'group' || o.nice !== undefined)) {
    throw new UsageError('--shell, --pipe, --line-buffer, --ungroup and --nice apply to commands, not to --worker')
  }
  const resume = `--resume${o.resume === 'failed' ? '-failed' : ''}`
  if (o.resume !== 'none' && o.joblog === undefined) throw new UsageError(`${resume} needs --joblog FILE`)
  if (o.grouping === 'ungroup' && (o.keepOrder || o.tag || o.results !== undefined)) {
    throw new UsageError('--ungroup lets jobs write straight through: it cannot be combined with --keep-order, --tag or --results')
  }
  const ordered = o.grouping === 'line' && (o.keepOrder || o.results !== undefined)
  if (ordered) throw new UsageError('--line-buffer prints lines as they come: it cannot be combined with --keep-order or --results')
  if (o.remote !== undefined && o.grouping !== 'group') {
    throw new UsageError('--line-buffer and --ungroup write to this machine as the job runs: ' +
      'with --redis the jobs run elsewhere, so not with --redis')
  }
  if (o.pipe && o.sources.length > 0) throw new UsageError('--pipe reads stdin: it takes no ::: or :::: input sources')
  // With -m/-X, -n N and -N N cap the arguments per line, as in GNU parallel; 0 (none on the line) makes no sense there.
  const none = o.maxArgs === 0 || o.nArgs === 0
  if (o.multi !== undefined && none) throw new UsageError('-n0/-N0 put no argument on the command line: not with -m/-X, which put several')
  const linkedFirst = o.sources.findIndex((s) => s.linked)
  if (linkedFirst === 0) throw new UsageError(':::+ and ::::+ link to the input source before them: the first source cannot be linked')
}

/** `N`, `N%` of the cores, `+N`/`-N` cores more or less, `0` as many as possible; default the cores. */
export function parseJobs(text: string | undefined): number {
  const cores = availableParallelism()
  if (text === undefined) return cores
  const match = /^([+-]?)(\d+)(%?)$/.exec(text)
  if (match === null) throw new UsageError(`-j/--jobs must be a whole number, N% of the cores, +N or -N, got ${JSON.stringify(text)}`)
  const n = Number(match[2])
  if (match[3] === '%') return Math.max(1, Math.floor((cores * n) / 100))
  if (match[1] === '+') return cores + n
  if (match[1] === '-') return Math.max(1, cores - n)
  return n === 0 ? AS_MANY_AS_POSSIBLE : n
}

/** A duration with units, or a bare number of seconds (GNU parallel's --timeout and --delay). */
export function parseSeconds(text: string, what: string): number {
  try {
    return parseDuration(/^\d+(\.\d+)?$/.test(text.trim()) ? `${text.trim()}s` : text, what)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

export function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, got ${JSON.stringify(text)}`)
  return Number(text)
}

function parseInteger(text: string, what: string): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, got ${JSON.stringify(text)}`)
  return Number(text)
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }

/** GNU parallel's sizes: a number and an optional unit, K M G T in powers of 1024, k m g t in powers of 1000. */
export function parseSize(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmgtKMGT]?)$/.exec(text)
  if (match === null || Number(match[1]) === 0) {
    throw new UsageError(`${what} must be a size above 0 like 512M or 1G (K M G T: powers of ` +
      `1024; k m g t: of 1000), got ${JSON.stringify(text)}`)
  }
  return Math.floor(Number(match[1]) * SIZE_UNITS[match[2]!]!)
}

/** A load average, or N% of the cores. */
function parseLoad(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text)
  if (match === null || Number(match[1]) === 0) {
    throw new UsageError(`--load must be a number above 0 or a percentage of the cores, got ${JSON.stringify(text)}`)
  }
  return match[2] === '%' ? (availableParallelism() * Number(match[1])) / 100 : Number(match[1])
}

function parseRegExp(text: string, what: string): RegExp {
  try {
    return new RegExp(text)
  } catch (error) {
    throw new UsageError(`${what} must be a regular expression: ${(error as Error).message}`)
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', 0: '\0', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' }

/** C-style escapes in a delimiter: \n \t \0 \\, \xHH and \NNN (octal). */
export function unescape(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{3}|.)/g, (all, code: string) => {
    if (code.length === 3 && code[0] === 'x') return String.fromCharCode(parseInt(code.slice(1), 16))
    if (code.length === 3) return String.fromCharCode(parseInt(code, 8))
    return ESCAPES[code] ?? all
  })
}

const ISOLATIONS = ['process', 'process-pool', 'thread'] as const

function parseIsolation(text: string | undefined): CliOptions['isolation'] {
  if (text === undefined) return 'process'
  if ((ISOLATIONS as readonly string[]).includes(text)) return text as CliOptions['isolation']
  throw new UsageError(`--isolation must be process, process-pool or thread, got ${JSON.stringify(text)}`)
}

function parseTrim(text: string): CliOptions['trim'] {
  if (text === 'rl') return 'lr'
  if (text === 'n' || text === 'l' || text === 'r' || text === 'lr') return text
  throw new UsageError(`--trim must be n, l, r, lr or rl, got ${JSON.stringify(text)}`)
}

/** The token travels in an HTTP header: visible ASCII only. Given without --status-port it would do nothing. */
function parseStatusToken(flag: string | undefined, served: boolean): string | undefined {
  if (flag !== undefined && !served) throw new UsageError('--status-token is the token of the status endpoint: it needs --status-port PORT')
  const token = flag ?? (process.env.FORKPOOL_STATUS_TOKEN || undefined)
  if (token === undefined || !served) return undefined
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError(`${flag === undefined ? 'FORKPOOL_STATUS_TOKEN' : '--status-token'} must be ` +
      `visible ASCII characters without spaces (it travels in an HTTP header)`)
  }
  return token
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`--status-port must be a port number from 0 to 65535, got ${JSON.stringify(text)}`)
  }
  return Number(text)
}
