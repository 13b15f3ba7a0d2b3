// The command line: options (node:util parseArgs), the command, and its ':::' argument groups.

import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { parseDuration } from '../primitives/duration.js'
import { parseHalt, type HaltPolicy } from './halt.js'
import { UsageError } from './usage.js'

export interface CliOptions {
  help: boolean
  version: boolean
  jobs: number
  /** Milliseconds; undefined: no timeout. */
  timeoutMs: number | undefined
  retries: number
  halt: HaltPolicy | null
  keepOrder: boolean
  lineBuffer: boolean
  joblog: string | undefined
  resume: boolean
  results: string | undefined
  dryRun: boolean
  /** 'tty': on stderr when it is a terminal; 'always': whatever stderr is. */
  bar: 'off' | 'tty' | 'always'
  nul: boolean
  shell: boolean
  worker: string | undefined
  isolation: 'process' | 'process-pool' | 'thread'
  /** Serve the status endpoint on this loopback port while the run lasts (0: any free port). */
  statusPort: number | undefined
  /** The command and its argument words, replacement strings still in them. */
  command: string[]
  /** One entry per ':::' group; undefined: arguments come from stdin. */
  groups: string[][] | undefined
}

const OPTIONS = {
  jobs: { type: 'string', short: 'j' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  halt: { type: 'string' },
  'keep-order': { type: 'boolean', short: 'k' },
  group: { type: 'boolean' },
  'line-buffer': { type: 'boolean' },
  joblog: { type: 'string' },
  resume: { type: 'boolean' },
  results: { type: 'string' },
  'dry-run': { type: 'boolean' },
  bar: { type: 'boolean' },
  'force-bar': { type: 'boolean' },
  null: { type: 'boolean', short: '0' },
  shell: { type: 'boolean' },
  worker: { type: 'string' },
  isolation: { type: 'string' },
  'status-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const

type OptionName = keyof typeof OPTIONS
const SHORT = new Map<string, OptionName>(Object.entries(OPTIONS).flatMap(([name, o]) => ('short' in o ? [[o.short, name as OptionName] as const] : [])))
const takesValue = (name: string | undefined): boolean => name !== undefined && OPTIONS[name as OptionName]?.type === 'string'

export const GROUP_SEPARATOR = ':::'

/**
 * Where the options end: at `--`, at the first ':::', or at the first word that is neither an
 * option nor an option's value (GNU parallel's rule), so the command's own options stay its own.
 */
export function splitCommandLine(argv: readonly string[]): { options: string[]; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === '--') return { options: argv.slice(0, i), rest: argv.slice(i + 1) }
    if (word === GROUP_SEPARATOR || !word.startsWith('-') || word === '-') return { options: argv.slice(0, i), rest: argv.slice(i) }
    if (word.startsWith('--')) {
      if (!word.includes('=') && takesValue(word.slice(2))) i++
      continue
    }
    // A group of short options: the first that takes a value takes the rest of the word, or the next word.
    for (let k = 1; k < word.length; k++) {
      if (takesValue(SHORT.get(word[k]!))) {
        if (k === word.length - 1) i++
        break
      }
    }
  }
  return { options: [...argv], rest: [] }
}

export function parseCommandLine(argv: readonly string[]): CliOptions {
  const { options, rest } = splitCommandLine(argv)
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; args: string[]; allowPositionals: false }>>['values']
  try {
    values = parseArgs({ args: options, options: OPTIONS, allowPositionals: false }).values
  } catch (error) {
    // Node's messages run on with advice about positionals; the first sentence is the point.
    const first = (error as Error).message.split('\n')[0]!.split('. ')[0]!.replace(/\.$/, '')
    throw new UsageError(first.replace(/^Unknown/, 'unknown').replace(/^Option/, 'option'))
  }
  const [command, ...groupWords] = splitGroups(rest)
  const groups = groupWords.length > 0 ? groupWords : undefined
  const parsed: CliOptions = {
    help: values.help === true,
    version: values.version === true,
    jobs: values.jobs === undefined ? availableParallelism() : parseJobs(values.jobs),
    timeoutMs: values.timeout === undefined ? undefined : parseTimeout(values.timeout),
    retries: values.retries === undefined ? 0 : parseCount(values.retries, '--retries'),
    halt: values.halt === undefined ? null : parseHalt(values.halt),
    keepOrder: values['keep-order'] === true,
    lineBuffer: values['line-buffer'] === true,
    joblog: values.joblog,
    resume: values.resume === true,
    results: values.results,
    dryRun: values['dry-run'] === true,
    bar: values['force-bar'] ? 'always' : values.bar ? 'tty' : 'off',
    nul: values.null === true,
    shell: values.shell === true,
    worker: values.worker,
    isolation: parseIsolation(values.isolation),
    statusPort: values['status-port'] === undefined ? undefined : parsePort(values['status-port']),
    command: command!,
    groups,
  }
  if (!parsed.help && !parsed.version) checkCombinations(parsed, values.isolation !== undefined)
  return parsed
}

function splitGroups(words: string[]): string[][] {
  const parts: string[][] = [[]]
  for (const word of words) {
    if (word === GROUP_SEPARATOR) parts.push([])
    else parts.at(-1)!.push(word)
  }
  return parts
}

function checkCombinations(o: CliOptions, isolationGiven: boolean): void {
  if (o.worker === undefined && o.command.length === 0) throw new UsageError('missing command: give a COMMAND, or --worker FILE')
  if (o.worker !== undefined && o.command.length > 0) throw new UsageError(`give a COMMAND or --worker FILE, not both (got command ${JSON.stringify(o.command[0])})`)
  if (isolationGiven && o.worker === undefined) throw new UsageError('--isolation applies to --worker only')
  if (o.worker !== undefined && o.shell) throw new UsageError('--shell applies to commands, not to --worker')
  if (o.resume && o.joblog === undefined) throw new UsageError('--resume needs --joblog FILE')
  if (o.lineBuffer && (o.keepOrder || o.results !== undefined || o.worker !== undefined)) {
    throw new UsageError('--line-buffer lets jobs write straight through: it cannot be combined with --keep-order, --results or --worker')
  }
}

/** `N` or `N%` of the cores; at least one job either way. */
export function parseJobs(text: string): number {
  const match = /^(\d+)(%?)$/.exec(text)
  if (match === null || Number(match[1]) === 0) throw new UsageError(`-j/--jobs must be a whole number above 0 or a percentage of the cores like 50%, got ${JSON.stringify(text)}`)
  const n = Number(match[1])
  return match[2] === '%' ? Math.max(1, Math.floor((availableParallelism() * n) / 100)) : n
}

/** A duration with units, or a bare number of seconds (GNU parallel's --timeout). */
export function parseTimeout(text: string): number {
  try {
    return parseDuration(/^\d+(\.\d+)?$/.test(text.trim()) ? `${text.trim()}s` : text, '--timeout')
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

export function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, got ${JSON.stringify(text)}`)
  return Number(text)
}

const ISOLATIONS = ['process', 'process-pool', 'thread'] as const

function parseIsolation(text: string | undefined): CliOptions['isolation'] {
  if (text === undefined) return 'process'
  if ((ISOLATIONS as readonly string[]).includes(text)) return text as CliOptions['isolation']
  throw new UsageError(`--isolation must be process, process-pool or thread, got ${JSON.stringify(text)}`)
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--status-port must be a port number from 0 to 65535, got ${JSON.stringify(text)}`)
  return Number(text)
}
