// npm run bench [-- --quick] [--suite NAME[,NAME…]] [--json FILE] [--rounds N] [--warmup N] [--no-save] [--baseline DIR] [--contenders
// NAME[,NAME…]]
// Runs the suites and prints one markdown table per suite. A full run of every suite also
// rewrites the results in bench/README.md and the chart bench/results.svg (unless --no-save).
// --from-json FILE sums up the raw figures a past run wrote with --json again, without running
// anything; given several files, each suite is taken from the last file that has it (every
// suite's figures still come from one run). --baseline DIR (a built checkout of an older commit)
// adds that build's forkpool to every suite as forkpool@base: before and after in one run.
// --contenders NAME,… runs only forkpool and those contenders (`--contenders forkpool` with
// --baseline: the two builds alone, so more rounds fit in the same time).

import { availableParallelism, cpus } from 'node:os'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { onlyContenders, runSuite, summarize, withBaseline, type SuiteSummary } from './harness.js'
import { markdownRun, markdownSuite, svgChart, type RunInfo } from './report.js'
import type { Suite } from './suite.js'
import { suites as registry } from './suites/index.js'

const BENCH_DIR = new URL('../../bench/', import.meta.url)
const START = '<!-- bench:results:start -->'
const END = '<!-- bench:results:end -->'

export interface BenchOptions {
  quick?: boolean
  /** Suite names; a name that is no suite's picks the suites named NAME-… ('remote' picks the three remote suites). */
  suites?: string[]
  json?: string
  rounds?: number
  warmup?: number
  /** Rewrite bench/README.md's results and bench/results.svg (only honoured for a full run of every suite). */
  save?: boolean
  /** A built checkout of an older commit: each suite also runs its forkpool, as forkpool@base (before/after in one run). */
  baseline?: string
  /** Contender names: each suite runs only its forkpool and those of them it has (a name no suite has is an error). */
  contenders?: string[]
}

export function selectSuites(names: string[] | undefined, all: Suite[] = registry): Suite[] {
  if (names === undefined || names.length === 0) return all
  // A suite's own name picks that suite alone ('spawn' is not also spawn-big-parent); a name that
  // is no suite's picks the suites named NAME-… ('remote': remote-noop, remote-map, remote-failover).
  const picks = (suite: Suite, name: string): boolean =>
    all.some((s) => s.name === name) ? suite.name === name : suite.name.startsWith(`${name}-`)
  const picked = all.filter((s) => names.some((n) => picks(s, n)))
  const unknown = names.filter((n) => !all.some((s) => picks(s, n)))
  if (unknown.length > 0) throw new Error(`no suite named ${unknown.join(', ')}; there are: ${all.map((s) => s.name).join(', ')}`)
  return picked
}

/** Runs the chosen suites; resolves with their summaries and the names of the suites that failed (a missed target is not a failure). */
export async function bench(options: BenchOptions = {}): Promise<{ summaries: SuiteSummary[]; failed: string[] }> {
  const quick = options.quick ?? false
  const { baseline } = options
  const { contenders } = options
  const known = new Set(['forkpool', ...registry.flatMap((suite) => suite.contenders)])
  const unknown = (contenders ?? []).filter((c) => !known.has(c))
  if (unknown.length > 0) throw new Error(`no contender named ${unknown.join(', ')}; there are: ${[...known].join(', ')}`)
  const chosen = selectSuites(options.suites)
    // A before/after run leaves out the suites the older build does not have (its run-one could not run them).
    .filter((suite) => baseline === undefined || baselineHas(baseline, suite.name))
    .map((suite) => (contenders === undefined ? suite : onlyContenders(suite, contenders)))
    .map((suite) => (baseline === undefined ? suite : withBaseline(suite)))
  const info: RunInfo = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
  }
  console.log(`forkpool bench${quick ? ' (quick)' : ''}: ${info.date}, Node ${info.node}, ${info.cores} cores (${info.cpu})\n`)
  const summaries: SuiteSummary[] = []
  const failed: string[] = []
  for (const suite of chosen) {
    const started = performance.now()
    try {
      const harnessOptions = {
        quick, baseline, ...(options.rounds === undefined ? {} : { rounds: options.rounds }),
        ...(options.warmup === undefined ? {} : { warmup: options.warmup }),
      }
      const summary = await runSuite(suite, harnessOptions)
      summaries.push(summary)
      // Written after every suite, so a long run that is stopped keeps what it measured.
      if (options.json) writeFileSync(options.json, `${JSON.stringify({ ...info, quick, suites: summaries, failed }, null, 2)}\n`)
      console.log(`${markdownSuite(summary)}\n(${((performance.now() - started) / 1000).toFixed(1)} s)\n`)
    } catch (error) {
      failed.push(suite.name)
      console.error(`suite ${suite.name} FAILED: ${error instanceof Error ? error.message : String(error)}\n`)
    }
  }
  if (options.json) writeFileSync(options.json, `${JSON.stringify({ ...info, quick, suites: summaries, failed }, null, 2)}\n`)
  const complete = chosen.length === registry.length && failed.length === 0 && baseline === undefined && contenders === undefined
  if ((options.save ?? true) && !quick && complete) save(info, summaries)
  return { summaries, failed }
}

/** Whether the built checkout `baseline` has the suite (dist/bench/suites/NAME.js); says so on stderr when it has not. */
export function baselineHas(baseline: string, suite: string): boolean {
  const has = existsSync(path.join(baseline, 'dist/bench/suites', `${suite}.js`))
  if (!has) console.error(`suite ${suite} left out: the baseline ${baseline} has no such suite`)
  return has
}

type SavedRun = RunInfo & { quick: boolean; suites: SuiteSummary[]; failed: string[] }

/**
 * Sums up again the raw figures of runs saved with --json (targets checked anew), each suite from
 * the last file that has it, and saves them like a full run when every suite is there.
 */
export function fromJson(files: string[], persist = true): SuiteSummary[] {
  const runs = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as SavedRun)
  const quick = runs.some((run) => run.quick)
  const dates = new Set<string>()
  const summaries = registry.flatMap((suite) => {
    const run = runs.findLast((r) => r.suites.some((s) => s.name === suite.name))
    const saved = run?.suites.find((s) => s.name === suite.name)
    if (run === undefined || saved === undefined) return []
    dates.add(run.date)
    return [summarize(suite, new Map(saved.contenders.map((c) => [c.name, c.figures])), run.quick, saved.rounds,
      new Map(saved.contenders.map((c) => [c.name, c.details])))]
  })
  const first = runs[0]!
  const info: RunInfo = { date: [...dates].sort().join(' and '), node: first.node, cores: first.cores, cpu: first.cpu }
  console.log(markdownRun(info, summaries))
  if (persist && !quick && summaries.length === registry.length) save(info, summaries)
  return summaries
}

function save(info: RunInfo, summaries: SuiteSummary[]): void {
  writeFileSync(new URL('results.svg', BENCH_DIR), svgChart(info, summaries))
  const readme = new URL('README.md', BENCH_DIR)
  const text = readFileSync(readme, 'utf8')
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < start) throw new Error(`bench/README.md lacks the ${START} … ${END} markers`)
  writeFileSync(readme, `${text.slice(0, start + START.length)}\n${markdownRun(info, summaries)}\n${text.slice(end)}`)
  console.log('wrote bench/README.md (results) and bench/results.svg')
}

function positive(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`)
  return n
}

const USAGE = `usage: npm run bench [-- --quick] [--suite NAME[,NAME…]] [--rounds N] [--warmup N] [--baseline DIR]
                 [--contenders NAME[,NAME…]] [--json FILE] [--no-save] [--from-json FILE…]
See bench/README.md. The suites: ${registry.map((s) => s.name).join(', ')}.`

/** The command line's options, or the usage on stderr and exit code 2 for one it does not know. */
function commandLine(): ReturnType<typeof parseCommandLine> {
  try {
    return parseCommandLine()
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    process.exit(2)
  }
}

function parseCommandLine() {
  return parseArgs({
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      quick: { type: 'boolean', default: false },
      suite: { type: 'string', multiple: true },
      json: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      'no-save': { type: 'boolean', default: false },
      'from-json': { type: 'string', multiple: true },
      baseline: { type: 'string' },
      contenders: { type: 'string', multiple: true },
    },
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = commandLine()
  if (values.help) {
    console.log(USAGE)
  } else if (values['from-json']) {
    fromJson(values['from-json'], !values['no-save'])
  } else {
    const options: BenchOptions = { quick: values.quick, save: !values['no-save'] }
    if (values.suite) options.suites = values.suite.flatMap((s) => s.split(',')).filter((s) => s !== '')
    if (values.json) options.json = values.json
    if (values.baseline) options.baseline = values.baseline
    if (values.contenders) options.contenders = values.contenders.flatMap((c) => c.split(',')).filter((c) => c !== '')
    const rounds = positive(values.rounds, '--rounds', 1)
    const warmup = positive(values.warmup, '--warmup', 0)
    if (rounds !== undefined) options.rounds = rounds
    if (warmup !== undefined) options.warmup = warmup
    const { failed } = await bench(options)
    if (failed.length > 0) {
      console.error(`failed suites: ${failed.join(', ')}`)
      process.exitCode = 1
    }
  }
}
