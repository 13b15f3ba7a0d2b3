// The contract every benchmark suite follows. The harness (bench/run.ts) runs each contender of a
// suite in its own fresh Node process, alternating contenders (A B C C B A …, reversed every other round) for several rounds
// after a warm-up, and compares figures only within one run.

export interface SuiteTarget {
  /** What the target is, as printed: "forkpool within 1.10x of raw-spawn". */
  describe: string
  /** Checks the target against the medians of this run, by contender name (`quick`: the small version ran). */
  check(medians: Record<string, number>, quick: boolean): boolean
  /** Optional: the measured figure the target is about, printed next to it (e.g. '1.04x'). */
  actual?(medians: Record<string, number>, quick: boolean): string
  /** The contenders other than forkpool it compares with: left out with them when they cannot run here. */
  uses?: string[]
}

/**
 * What run() returns when a contender measures more than its figure: the figure, and the figures reported beside it (see Suite.details).
 */
export interface Measured {
  figure: number
  details: Record<string, number>
}

export interface Suite {
  /** The name used with `--suite NAME`, e.g. 'spawn'. */
  name: string
  /** One line saying what every contender does, e.g. '1000 /bin/true jobs at cap 2'. */
  title: string
  /** The unit of the figure run() returns: 'ms' of wall time, 'tasks/s', 'MB' of peak RSS, … */
  unit: string
  /** Whether a lower or a higher figure is better. */
  better: 'lower' | 'higher'
  /** Contender names; forkpool's first. Ratios are reported against forkpool. */
  contenders: string[]
  /**
   * Runs one contender once, inside the fresh process the harness started for it, and returns its
   * figure. It must verify its own work (count completions, check results) and throw if anything
   * is missing or wrong. `quick` asks for a smaller version of the same work.
   */
  run(contender: string, quick: boolean): Promise<number | Measured>
  /**
   * Optional: the figures each contender reports beside its own (name → unit), e.g. { 'loop p99':
   * 'ms' }. Their medians are shown as columns and given to targets as `${contender} ${name}`.
   */
  details?: Record<string, string>
  targets?: SuiteTarget[]
  /**
   * Contenders that run an external program, by name (`{ 'gnu-parallel': 'parallel' }`). One whose
   * program is not on PATH is left out of the run with a note, instead of failing the suite.
   */
  requires?: Record<string, string>
  /**
   * Optional: the best figure the work allows (latency: ceil(jobs / cap) × 50 ms), in `unit`.
   * The table then also shows each figure over it.
   */
  ideal?(quick: boolean): number
}

/** The target "forkpool's figure at most `ratio` times `other`'s" (lower is better), with the ratio as its measured figure. */
export function withinOf(other: string, ratio: number, describe = `forkpool within ${ratio.toFixed(2)}x of ${other}`): SuiteTarget {
  return {
    describe,
    check: (m) => m['forkpool']! <= ratio * m[other]!,
    actual: (m) => `${(m['forkpool']! / m[other]!).toFixed(2)}x`,
    uses: [other],
  }
}

/**
 * The targets of the big-parent suites (issue 13), whose contenders are named PATH@SIZE with a
 * 'loop p99' detail: forkpool's figure at `big` within 1.25x of its figure at `small`, and its
 * event loop's p99 delay under 10 ms at every size.
 */
export function flatAcrossSizes(small: string, big: string, sizes: string[]): { flat: SuiteTarget; loopDelay: SuiteTarget } {
  return {
    flat: {
      describe: `forkpool at ${big.replace('GB', ' GB')} within 1.25x of forkpool at ${small.replace('MB', ' MB')}`,
      check: (m) => m[`forkpool@${big}`]! <= 1.25 * m[`forkpool@${small}`]!,
      actual: (m) => `${(m[`forkpool@${big}`]! / m[`forkpool@${small}`]!).toFixed(2)}x`,
    },
    loopDelay: {
      describe: "forkpool's event loop delay p99 under 10 ms at every size",
      check: (m) => sizes.every((size) => m[`forkpool@${size} loop p99`]! < 10),
      actual: (m) => sizes.map((size) => `${size} ${m[`forkpool@${size} loop p99`]!.toFixed(1)} ms`).join(', '),
    },
  }
}
