// Replacement strings, GNU parallel's: {} {.} {/} {//} {/.} {#} {%} and {N} for the Nth ':::' group.

import path from 'node:path'
import { shellQuote } from '../util/shell-quote.js'

const TOKEN = /\{(?:([#%])|(\d+)?(\/\/|\/\.|\/|\.)?)\}/g

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


export function hasReplacement(words: readonly string[]): boolean {
  return words.some((word) => new RegExp(TOKEN.source).test(word))
}

export interface JobInput {
  /** The job's arguments: one per ':::' group, or the stdin line. */
  args: readonly string[]
  /** The job number, from 1. */
  seq: number
  /** The slot number, from 1 to --jobs. */
  slot: number
}

function replaceIn(word: string, input: JobInput, quote: (s: string) => string): string {
  return word.replace(TOKEN, (_all, special: string | undefined, index: string | undefined, how: Transform | undefined) => {
    if (special === '#') return String(input.seq)
    if (special === '%') return String(input.slot)
    const values = index === undefined ? input.args : [input.args[Number(index) - 1] ?? '']
    return values.map((v) => quote(transform(v, how ?? ''))).join(' ')
  })
}

/** The program and its arguments for one job (no shell): each template word stays one argument. */
export function expandArgv(words: readonly string[], input: JobInput): string[] {
  if (!hasReplacement(words)) return [...words, ...input.args]
  return words.map((word) => replaceIn(word, input, (s) => s))
}

/** The command line for /bin/sh (--shell): template words joined by spaces, arguments quoted. */
export function expandShellLine(words: readonly string[], input: JobInput): string {
  if (!hasReplacement(words)) return [...words, ...input.args.map(shellQuote)].join(' ')
  return words.map((word) => replaceIn(word, input, shellQuote)).join(' ')
}
