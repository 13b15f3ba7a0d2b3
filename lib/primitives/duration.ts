import { describe } from '../util/describe.js'

// Durations as users write them: 5000, '5s', '1m30s', '250ms'. Everything inside is milliseconds.

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

const PART = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)/y

/**
 * Parses a duration into milliseconds. Numbers are milliseconds; strings need units
 * (`ms`, `s`, `m`, `h`, `d`) and may chain them (`'1h30m'`). `Infinity` means "never".
 * Throws a TypeError or RangeError naming the bad value.
 */
export function parseDuration(value: unknown, what = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isNaN(value) || value <= 0) {
      throw new RangeError(`${what} must be a positive number of milliseconds, got ${String(value)}`)
    }
    return value
  }
  if (typeof value !== 'string') {
    throw new TypeError(`${what} must be a number of milliseconds or a string like '5s', got ${describe(value)}`)
  }
  const text = value.trim()
  let total = 0
  PART.lastIndex = 0
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text)
    if (match === null) {
      const hint = /^\d+(\.\d+)?$/.test(text) ? ` (add a unit: '${text}ms' or '${text}s')` : ''
      throw new RangeError(`${what} ${JSON.stringify(value)} is not a duration${hint}; use units ms, s, m, h, d, as in '5s' or '1m30s'`)
    }
    total += Number(match[1]) * UNIT_MS[match[2]!]!
    while (text[PART.lastIndex] === ' ') PART.lastIndex++
  }
  if (!(total > 0)) {
    throw new RangeError(`${what} must be longer than zero, got ${JSON.stringify(value)}`)
  }
  return total
}
