// Replacement strings, GNU parallel's: {} {.} {/} {//} {/.} {#} {%}, {N} and {-N} (the Nth
// argument, from the end when negative, with the same transforms: {2.} {-1/}), {name} with
// --header, and -I's own string for {}. A string that stands for several arguments (several
// sources, -n, -m) gives several words, as the shell gives them to GNU parallel's commands:
// `pre{}post` with a and b is `prea` `bpost`. With -X a word holding {} is repeated per argument set.

import path from 'node:path'
import { shellQuote } from '../util/shell-quote.js'
import type { InputRecord } from './inputs.js'

type Transform = '' | '.' | '/' | '//' | '/.'

export function transform(value: string, how: Transform): string {
  switch (how) {
    case '.': return value.replace(/\.[^/.]*$/, '')
    case '/': return value.replace(/^.*\//, '')
    case '//': return path.posix.dirname(value)
    case '/.': return value.replace(/^.*\//, '').replace(/\.[^/.]*$/, '')
    default: return value
  }
}

export interface ReplaceSettings {
  /** -I: what stands for the argument instead of {}. */
  replace?: string | undefined
  /** --header: column names and their positions. */
  names?: ReadonlyMap<string, number>
  /** -X: a word with {} is repeated per argument set. */
  context?: boolean
  /** -N0, -n0: the arguments are not put on the command line. */
  hidden?: boolean
}

export interface JobInput {
  /** The job's argument sets (one unless -n, -N, -m or -X). */
  records: readonly InputRecord[]
  /** The job number, from 1. */
  seq: number
  /** The slot number, from 1 to --jobs. */
  slot: number
}

const ESCAPE = /[.*+?^${}()|[\]\\]/g
const HOW = String.raw`\/\/|\/\.|\/|\.`

/** The pattern of every replacement string these settings know, with named groups. */
function tokenPattern(s: ReplaceSettings): RegExp {
  const names = [...(s.names?.keys() ?? [])].sort((a, b) => b.length - a.length).map((n) => n.replace(ESCAPE, '\\$&'))
  const parts = [String.raw`\{(?:(?<special>[#%])|(?<index>-?\d+)?(?<how>${HOW})?)\}`]
  if (names.length > 0) parts.unshift(String.raw`\{(?<name>${names.join('|')})(?<nameHow>${HOW})?\}`)
  if (s.replace !== undefined) parts.unshift(`(?<custom>${s.replace.replace(ESCAPE, '\\$&')})`)
  return new RegExp(parts.join('|'), 'g')
}

interface Token {
  text: string
  at: number
  /** #, %, a position, a column name, or undefined for the argument itself ({}, {.}, -I's string). */
  special?: string | undefined
  index?: number | undefined
  name?: string | undefined
  how: Transform
}

function tokensOf(word: string, pattern: RegExp, s: ReplaceSettings): Token[] {
  const tokens: Token[] = []
  for (const m of word.matchAll(pattern)) {
    const g = m.groups!
    // With -I, a plain {} is text like any other.
    if (s.replace !== undefined && m[0] === '{}') continue
    tokens.push({
      text: m[0],
      at: m.index,
      special: g.special,
      index: g.index === undefined ? undefined : Number(g.index),
      name: g.name,
      how: (g.how ?? g.nameHow ?? '') as Transform,
    })
  }
  return tokens
}

const isArgument = (t: Token): boolean => t.special === undefined && t.index === undefined && t.name === undefined

type Piece = string | { values: string[] }

/** A word cut into literal text and what its replacement strings stand for. */
function pieces(word: string, tokens: Token[], s: ReplaceSettings, input: JobInput, records: readonly InputRecord[]): Piece[] {
  const out: Piece[] = []
  // -N0/-n0: no replacement string stands for an argument, as with GNU parallel.
  const flat = s.hidden ? [] : records.flat()
  let last = 0
  for (const t of tokens) {
    out.push(word.slice(last, t.at))
    last = t.at + t.text.length
    let values: string[]
    if (t.special === '#') values = [String(input.seq)]
    else if (t.special === '%') values = [String(input.slot)]
    else if (t.name !== undefined) values = pick(flat, s.names!.get(t.name)!)
    else if (t.index !== undefined) values = pick(flat, t.index)
    else values = flat
    out.push({ values: values.map((v) => transform(v, t.how)) })
  }
  out.push(word.slice(last))
  return out
}

function pick(flat: readonly string[], n: number): string[] {
  const value = n < 0 ? flat[flat.length + n] : flat[n - 1]
  return value === undefined ? [] : [value]
}

/**
 * Joins pieces into words: a string standing for several values splits the word between them;
 * one for a missing argument (-N2 with one left) stands for nothing, as with GNU parallel's --quote.
 */
function join(parts: Piece[], quote: (s: string) => string): string[] {
  const words = ['']
  for (const part of parts) {
    if (typeof part === 'string') {
      words[words.length - 1] += part
      continue
    }
    part.values.forEach((v, i) => (i === 0 ? (words[words.length - 1] += quote(v)) : words.push(quote(v))))
  }
  return words
}

function expandWords(
  words: readonly string[], input: JobInput, s: ReplaceSettings, quote: (s: string) => string, append: boolean
): string[] {
  let pattern = patterns.get(s)
  if (pattern === undefined) patterns.set(s, (pattern = tokenPattern(s)))
  const out: string[] = []
  let replaced = false
  for (const word of words) {
    const tokens = tokensOf(word, pattern, s)
    if (tokens.length === 0) {
      out.push(word)
      continue
    }
    replaced = true
    // -N0: a word that is one replacement string for an argument is left out (GNU parallel drops it).
    if (s.hidden && tokens.length === 1 && tokens[0]!.text === word && tokens[0]!.special === undefined) continue
    const sets = s.context && tokens.some(isArgument) ? input.records.map((r) => [r]) : [input.records]
    for (const records of sets) out.push(...join(pieces(word, tokens, s, input, records), quote))
  }
  // Without a replacement string the arguments go at the end.
  if (!replaced && append && !s.hidden) out.push(...input.records.flat().map(quote))
  return out
}

const identity = (s: string): string => s
/** Each settings object's pattern, made once: the settings live for the whole run. */
const patterns = new WeakMap<ReplaceSettings, RegExp>()

/** The program and its arguments for one job (no shell). */
export function expandArgv(words: readonly string[], input: JobInput, s: ReplaceSettings = {}): string[] {
  return expandWords(words, input, s, identity, true)
}

/** The command line for /bin/sh (--shell): template words as written (-q: quoted), arguments quoted. */
export function expandShellLine(words: readonly string[], input: JobInput, s: ReplaceSettings = {}, quoteWords = false): string {
  const template = quoteWords ? words.map(shellQuote) : words
  return expandWords(template, input, s, shellQuote, true).join(' ')
}

/** A string such as --tagstring's, with the replacement strings in it expanded (one word). */
export function expandText(text: string, input: JobInput, s: ReplaceSettings = {}): string {
  return expandWords([text], input, { ...s, context: false }, identity, false).join(' ')
}
