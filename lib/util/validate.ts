// Checks shared by the public calls (Node's lib/internal/validators.js is the model): the shape of
// an options object and its keys, and the kinds of value many options take. Each option's own
// check stays next to its feature, made of these.
//
// One rule and one wording for every check in lib/: a value of the wrong type (or shape) is a
// TypeError, a value of the right type that is out of range, empty or not one of the allowed values
// is a RangeError, and both say `<name> must be <what it takes>, got <the value>` (invalidType,
// outOfRange). Two options that cannot go together, or an unknown key, are TypeErrors too.

import { describe } from './describe.js'

/**
 * An options interface's keys, listed once beside the code that reads them: the compiler checks
 * that the list names every key of T and nothing else. The order is the one messages list them in.
 */
export function optionKeys<T>(keys: { readonly [K in keyof Required<T>]: true }): ReadonlySet<string> {
  return new Set(Object.keys(keys))
}

/** Keys that belong to another options object (or a job), each with where it goes: `'processPool.maxTasksPerWorker'`. */
export type Elsewhere = ReadonlyMap<string, string>

/** `keys` as an Elsewhere map, each placed by `where`. */
export function elsewhere(keys: Iterable<string>, where: (key: string) => string): Map<string, string> {
  return new Map([...keys].map((key) => [key, where(key)]))
}

const NO_OPTIONS = Object.freeze({})

/** The TypeError for a value of the wrong type: `maxProcs must be a number, got "4"`. */
export function invalidType(what: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${what} must be ${expected}, got ${describe(value)}`)
}

/** The RangeError for a value of the right type that is not allowed: `maxProcs must be a whole number >= 0, got -1`. */
export function outOfRange(what: string, expected: string, value: unknown): RangeError {
  return new RangeError(`${what} must be ${expected}, got ${describe(value)}`)
}

/** A plain object (not null, not an array); `what` names it: `'start() options'`. */
export function validateObject<T>(value: T, what: string): T & object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidType(what, 'an object', value)
  return value
}

/**
 * An options object, or `{}` for undefined. Refuses a value that is not an object, and any own key
 * not in `keys` with a TypeError saying where that key belongs or what it is probably a
 * misspelling of (see unknownOption). One for-in pass: see lib/runners/spec.ts for why not Object.keys.
 */
export function validateOptions<T extends object>(
  value: T | undefined, what: string, keys: ReadonlySet<string>, options: { elsewhere?: Elsewhere } = {}
): T {
  if (value === undefined) return NO_OPTIONS as T
  validateObject(value, `${what} options`)
  for (const key in value) {
    if (!keys.has(key) && Object.hasOwn(value, key)) throw unknownOption(key, what, keys, options.elsewhere)
  }
  return value
}

/** The TypeError for an unknown key of `what`'s options: `"timout" is not a start() option; did you mean timeout?` */
export function unknownOption(key: string, what: string, keys: ReadonlySet<string>, elsewhere?: Elsewhere): TypeError {
  return new TypeError(`${describe(key)} is not a ${what} option; ${optionHint(key, keys, elsewhere)}`)
}

/**
 * What to tell someone who wrote `key`: where it belongs when `elsewhere` has it, else the closest
 * spelling among `keys` and `elsewhere` (`did you mean maxProcs?`), else every key it takes.
 */
export function optionHint(key: string, keys: ReadonlySet<string>, elsewhere?: Elsewhere): string {
  const hint = elsewhere?.get(key) ?? closest(key, keys, elsewhere)
  return hint === undefined ? `it takes ${[...keys].join(', ')}` : `did you mean ${hint}?`
}

/**
 * The key (or, for a key of `elsewhere`, its place) spelt most like `key`: the same but for case
 * first, else the fewest edits, a third of its length at most (up to 3), the keys of `keys` first
 * on a tie. Undefined when none is that close.
 */
function closest(key: string, keys: ReadonlySet<string>, elsewhere: Elsewhere | undefined): string | undefined {
  const lower = key.toLowerCase()
  let best: string | undefined
  let bestDistance = Math.max(1, Math.min(3, Math.floor(key.length / 3))) + 1
  const consider = (candidate: string, hint: string): void => {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) [best, bestDistance] = [hint, distance]
  }
  for (const candidate of keys) consider(candidate, candidate)
  if (elsewhere !== undefined) for (const [candidate, where] of elsewhere) consider(candidate, where)
  return best
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`: optimal string alignment. */
export function editDistance(a: string, b: string): number {
  // Three rows of the table: the one before last, the last, and this one.
  let before: number[] = []
  let last = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(last[j]! + 1, row[j - 1]! + 1, last[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1)
      row.push(d)
    }
    before = last
    last = row
  }
  return last[b.length]!
}

/** An AbortSignal, or undefined. */
export function validateAbortSignal(value: unknown, what: string): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) throw invalidType(what, 'an AbortSignal', value)
  return value
}

export function validateFunction<T>(value: T, what: string): T {
  if (typeof value !== 'function') throw invalidType(what, 'a function', value)
  return value
}

export function validateBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw invalidType(what, 'a boolean', value)
  return value
}

/** A string; with `nonEmpty`, not '' (a RangeError: it is a string). */
export function validateString(value: unknown, what: string, nonEmpty = false): string {
  if (typeof value !== 'string') throw invalidType(what, nonEmpty ? 'a non-empty string' : 'a string', value)
  if (nonEmpty && value === '') throw outOfRange(what, 'a non-empty string', value)
  return value
}

/** An array of strings. */
export function validateStringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw invalidType(what, 'an array of strings', value)
  return value
}

/**
 * One of `choices`, which the message lists: a TypeError for a value of another type than every
 * choice (`5` for a string option), a RangeError for one of the right type that is not a choice.
 */
export function validateOneOf<T>(value: unknown, what: string, choices: readonly T[]): T {
  if (choices.includes(value as T)) return value as T
  const expected = `one of ${choices.map((c) => `'${String(c)}'`).join(', ')}`
  throw choices.some((c) => typeof c === typeof value) ? outOfRange(what, expected, value) : invalidType(what, expected, value)
}

/**
 * A whole number from `min` to `max`: a TypeError for a non-number, a RangeError for a fraction,
 * NaN, Infinity or a number outside the bounds. `orInfinity`: Infinity is allowed too (a limit
 * that can be off).
 */
export function validateInteger(value: unknown, what: string, min = 0, max = Number.MAX_SAFE_INTEGER, orInfinity = false): number {
  const expected = `a whole number >= ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` and <= ${max}`}${orInfinity ? ', or Infinity' : ''}`
  if (typeof value !== 'number') throw invalidType(what, expected, value)
  if (orInfinity && value === Infinity) return value
  if (!Number.isInteger(value) || value < min || value > max) throw outOfRange(what, expected, value)
  return value
}

/** A number above `above` (finite or not): a TypeError for a non-number, a RangeError for NaN or one not above it. */
export function validateNumberAbove(value: unknown, what: string, above: number): number {
  if (typeof value !== 'number') throw invalidType(what, `a number above ${above}`, value)
  if (!(value > above)) throw outOfRange(what, `a number above ${above}`, value)
  return value
}
