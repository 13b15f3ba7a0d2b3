// --bar: a progress bar with ETA on stderr, redrawn in place, and a summary line at the end; on
// a stderr that is not a terminal (a log file, CI), only the summary line.

export interface BarStream {
  write(text: string): unknown
  columns?: number
}

export interface Progress {
  done: number
  failed: number
  /** undefined while the number of jobs is not known yet. */
  total: number | undefined
  elapsedMs: number
}

export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** One line, at most `width` characters: `[#####.....] 50% 5/10 1 failed ETA 3s`. */
export function formatBar(p: Progress, width: number): string {
  const failed = p.failed > 0 ? ` ${p.failed} failed` : ''
  if (p.total === undefined) return `${p.done}/?${failed}`.slice(0, width)
  const fraction = p.total === 0 ? 1 : p.done / p.total
  const eta = p.done === 0 ? '?' : formatSeconds((p.elapsedMs / p.done) * (p.total - p.done))
  const text = ` ${Math.floor(fraction * 100)}% ${p.done}/${p.total}${failed} ETA ${eta}`
  const barWidth = Math.max(0, Math.min(40, width - text.length - 2))
  const filled = Math.round(fraction * barWidth)
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${text}`.slice(0, width)
}

export function summary(p: Progress): string {
  const jobs = `${p.done} job${p.done === 1 ? '' : 's'}`
  return `forkpool: ${jobs} in ${(p.elapsedMs / 1000).toFixed(1)}s: ${p.done - p.failed} succeeded, ${p.failed} failed`
}

const REDRAW_MS = 100

export interface ProgressBarOptions {
  /** Draw the bar (default true); false: only the summary line at the end, for a stderr that is not a terminal. */
  animate?: boolean
  now?: () => number
}

export class ProgressBar {
  readonly #stream: BarStream
  /** False: no bar, only the summary line. */
  readonly animate: boolean
  readonly #now: () => number
  readonly #startedAt: number
  #shown = false
  #lastDraw = -Infinity
  #state: Omit<Progress, 'elapsedMs'> = { done: 0, failed: 0, total: undefined }

  constructor(stream: BarStream, { animate = true, now = Date.now }: ProgressBarOptions = {}) {
    this.#stream = stream
    this.animate = animate
    this.#now = now
    this.#startedAt = now()
  }

  get progress(): Progress {
    return { ...this.#state, elapsedMs: this.#now() - this.#startedAt }
  }

  /** Records progress; redraws at most every 100 ms unless `force`. */
  update(state: Partial<Omit<Progress, 'elapsedMs'>>, force = false): void {
    Object.assign(this.#state, state)
    const now = this.#now()
    if (!this.animate || (!force && now - this.#lastDraw < REDRAW_MS)) return
    this.#lastDraw = now
    // A terminal of unknown width reports 0 columns (a pty nobody sized): take 80 then.
    this.#stream.write(`\r${formatBar(this.progress, (this.#stream.columns || 80) - 1)}\x1b[K`)
    this.#shown = true
  }

  /** Takes the bar off its line, so other output starts at column 0. */
  clear(): void {
    if (this.#shown) this.#stream.write('\r\x1b[K')
    this.#shown = false
  }

  /** Redraws the bar, after clear(). */
  redraw(): void {
    this.update({}, true)
  }

  /** Draws the final state and the summary line. */
  finish(): void {
    this.update({}, true)
    this.#stream.write(`${this.animate ? '\n' : ''}${summary(this.progress)}\n`)
  }
}
