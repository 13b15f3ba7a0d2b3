// The harness: runs each contender of a suite in its own fresh Node process, alternating
// contenders (A B C C B A …, reversed every other round) for several rounds after a warm-up, and sums up each suite from
// the rounds of this run only.

import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Measured, Suite } from './suite.js'

const CHILD = fileURLToPath(new URL('./run-one.js', import.meta.url))

export interface HarnessOptions {
  quick: boolean
  /** Rounds measured per contender (default 5; 1 with quick). */
  rounds?: number
  /** Rounds run first and thrown away (default 1; 0 with quick). */
  warmup?: number
  /** Called with each line of progress (default: stderr). */
  progress?: (line: string) => void
  /**
   * A checkout of an older commit, built (its dist/bench/run-one.js): the suite also runs that
   * build's forkpool contender, as `forkpool@base`, alternating with the others in this run.
   */
  baseline?: string
}

/** The contender that runs an older build of forkpool (see HarnessOptions.baseline). */
export const BASELINE = 'forkpool@base'

/**
 * The suite with the baseline's forkpool as one more contender, and the target "forkpool within
 * `slack` of forkpool@base" (5%: the issue's before/after bound).
 */
export function withBaseline(suite: Suite, slack = 0.05): Suite {
  const higher = suite.better === 'higher'
  return {
    ...suite,
    contenders: [...suite.contenders, BASELINE],
    targets: [...(suite.targets ?? []), {
      describe: `forkpool within ${slack * 100}% of ${BASELINE} (the older build)`,
      check: (m) => (higher ? m['forkpool']! >= (1 - slack) * m[BASELINE]! : m['forkpool']! <= (1 + slack) * m[BASELINE]!),
      actual: (m) => `${(m['forkpool']! / m[BASELINE]!).toFixed(3)}x`,
    }],
  }
}

export interface ContenderSummary {
  name: string
  figures: number[]
  median: number
  min: number
  max: number
  /** This contender's median divided by forkpool's (both from the rounds of this run). */
  ratio: number
  /** The suite's details (Suite.details), each round's, when it has any. */
  details?: Record<string, number[]>
}

export interface TargetSummary {
  describe: string
  held: boolean
  actual?: string
}

export interface SuiteSummary {
  name: string
  /** Contenders left out of this run, each with why (an external program missing). */
  notes?: string[]
  title: string
  unit: string
  better: 'lower' | 'higher'
  quick: boolean
  rounds: number
  contenders: ContenderSummary[]
  targets: TargetSummary[]
  ideal?: number
  /** The suite's details: name → unit (see Suite.details). */
  details?: Record<string, string>
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The process groups of the contenders running now, each as the function that kills it. */
const contenderGroups = new Set<() => void>()
let interruptHandled = false

/** A contender's group is not the terminal's: Ctrl-C (or a SIGTERM) to the harness ends them too, then the harness. */
function stopGroupsOnInterrupt(): void {
  if (interruptHandled) return
  interruptHandled = true
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const killGroup of contenderGroups) killGroup()
      process.kill(process.pid, signal)
    })
  }
}

/** Runs one contender once in a fresh Node process and returns its figure (and details); throws if it fails. */
export function runContender(suite: Suite, contender: string, quick: boolean, timeoutMs: number, baseline?: string): Promise<Measured> {
  const dir = mkdtempSync(path.join(tmpdir(), 'forkpool-bench-'))
  const out = path.join(dir, 'figure.json')
  // The baseline's own harness child runs its own forkpool contender: the same suite, the older library.
  const [script, name] = contender === BASELINE && baseline !== undefined
    ? [path.join(baseline, 'dist/bench/run-one.js'), 'forkpool']
    : [CHILD, contender]
  const child = spawn(process.execPath, [script, suite.name, name, quick ? 'quick' : 'full', out], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // A process group of its own, killed whole: a contender killed for its time, or one that
    // crashed, takes along what it started (a remote suite's redis-server and agents), which would
    // otherwise outlive it and load the rounds after it.
    detached: true,
  })
  const killGroup = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // The group has ended.
    }
  }
  contenderGroups.add(killGroup)
  stopGroupsOnInterrupt()
  const timer = setTimeout(killGroup, timeoutMs)
  return new Promise<Measured>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      contenderGroups.delete(killGroup)
      killGroup()
      try {
        if (code !== 0) {
          const why = signal === 'SIGKILL' ? `was killed after ${timeoutMs} ms` : signal ? `died by ${signal}` : `exited with code ${code}`
          throw new Error(`${suite.name}/${contender} ${why}`)
        }
        // An older build's run-one (the baseline) writes no details.
        const { figure, details = {} } = JSON.parse(readFileSync(out, 'utf8')) as Partial<Measured> & { figure: number }
        resolve({ figure, details })
      } catch (error) {
        const ours = error instanceof Error && error.message.startsWith(suite.name)
        reject(ours ? error : new Error(`${suite.name}/${contender} reported no figure: ${String(error)}`))
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
}

/** Whether `program` is on PATH (what `command -v` says). */
export function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore' }).status === 0
}

/**
 * The suite without the contenders whose external program (Suite.requires) is missing here, and
 * without the targets that compare with them; with a note for each one left out.
 */
export function withoutMissing(suite: Suite, available: (program: string) => boolean = onPath): { suite: Suite; notes: string[] } {
  const missing = Object.entries(suite.requires ?? {}).filter(([, program]) => !available(program))
  if (missing.length === 0) return { suite, notes: [] }
  const gone = new Set(missing.map(([contender]) => contender))
  return {
    suite: {
      ...suite,
      contenders: suite.contenders.filter((c) => !gone.has(c)),
      targets: (suite.targets ?? []).filter((t) => !(t.uses ?? []).some((c) => gone.has(c))),
    },
    notes: missing.map(([contender, program]) => `${contender} left out: \`${program}\` is not installed here`),
  }
}

/**
 * The suite with only its first contender (forkpool) and those named in `names` (`--contenders`; names it lacks are ignored), and only the
 * targets that declare the contenders they compare with (SuiteTarget.uses), all of them kept. A
 * before/after run (`--contenders forkpool --baseline DIR`) then spends its rounds on the two builds.
 */
export function onlyContenders(suite: Suite, names: string[]): Suite {
  const kept = suite.contenders.filter((c, i) => i === 0 || names.includes(c))
  return {
    ...suite,
    contenders: kept,
    targets: (suite.targets ?? []).filter((t) => t.uses !== undefined && t.uses.every((c) => kept.includes(c))),
  }
}

/** Runs a suite: warm-up rounds, then measured rounds, each contender in turn (reversed every other round), and sums it up. */
export async function runSuite(complete: Suite, options: HarnessOptions): Promise<SuiteSummary> {
  const { suite, notes } = withoutMissing(complete)
  const { quick } = options
  const rounds = options.rounds ?? (quick ? 1 : 5)
  const warmup = options.warmup ?? (quick ? 0 : 1)
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`))
  const timeoutMs = quick ? 60_000 : 600_000
  const figures = new Map<string, number[]>(suite.contenders.map((c) => [c, []]))
  const details = new Map<string, Record<string, number[]>>(suite.contenders.map((c) => [c, {}]))
  for (let round = 0; round < warmup + rounds; round++) {
    const label = round < warmup ? `warm-up ${round + 1}/${warmup}` : `round ${round - warmup + 1}/${rounds}`
    const ran = new Map<string, number>()
    // Every other round runs the contenders in reverse order: a contender that always ran right
    // after the same other one would carry what that one left behind (a self-compare of
    // process-noop in fixed order put the second copy 3.5% ahead of the first).
    const order = round % 2 === 0 ? suite.contenders : [...suite.contenders].reverse()
    for (const contender of order) {
      const { figure, details: extra } = await runContender(suite, contender, quick, timeoutMs, options.baseline)
      if (round >= warmup) {
        figures.get(contender)!.push(figure)
        const own = details.get(contender)!
        for (const [name, value] of Object.entries(extra)) (own[name] ??= []).push(value)
      }
      ran.set(contender, figure)
    }
    progress(`  ${suite.name} ${label}: ${suite.contenders.map((c) => `${c} ${formatFigure(ran.get(c)!)}`).join(', ')}`)
  }
  const summary = summarize(suite, figures, quick, rounds, details)
  if (notes.length > 0) summary.notes = notes
  for (const note of notes) progress(`  ${suite.name}: ${note}`)
  return summary
}

/**
 * Sums up the figures of one run of a suite: medians, spread, ratios to forkpool, targets; `details`: each contender's, by name, each
 * round's.
 */
export function summarize(
  suite: Suite, figures: Map<string, number[]>, quick: boolean, rounds: number,
  details = new Map<string, Record<string, number[]> | undefined>()
): SuiteSummary {
  const base = median(figures.get(suite.contenders[0]!)!)
  const contenders = suite.contenders.map((name): ContenderSummary => {
    const own = figures.get(name)
    if (own === undefined || own.length === 0) throw new Error(`no figures for ${suite.name}/${name}`)
    const mid = median(own)
    const summary: ContenderSummary = { name, figures: own, median: mid, min: Math.min(...own), max: Math.max(...own), ratio: mid / base }
    const extra = details.get(name)
    if (extra !== undefined && Object.keys(extra).length > 0) summary.details = extra
    return summary
  })
  const medians = Object.fromEntries(contenders.flatMap((c): Array<[string, number]> => [
    [c.name, c.median],
    ...Object.entries(c.details ?? {}).map(([detail, values]): [string, number] => [`${c.name} ${detail}`, median(values)]),
  ]))
  const targets = (suite.targets ?? []).map((target): TargetSummary => {
    const summary: TargetSummary = { describe: target.describe, held: target.check(medians, quick) }
    if (target.actual) summary.actual = target.actual(medians, quick)
    return summary
  })
  const summary: SuiteSummary = {
    name: suite.name, title: suite.title, unit: suite.unit, better: suite.better, quick, rounds, contenders, targets,
  }
  if (suite.ideal) summary.ideal = suite.ideal(quick)
  if (suite.details) summary.details = suite.details
  return summary
}

/** A figure with as many digits as it deserves: 1,234 · 123 · 12.3 · 1.23 */
export function formatFigure(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}
