// Reading the options off the command line, GNU parallel's way: they end at `--`, at the first
// input-source separator, or at the first word that is neither an option nor an option's value,
// so the command's own options stay its own. An option's value may start with a dash
// (`--halt -1`, `-j -1`): a value is whatever word follows.

import { longOption, optionTitle, shortOption, type OptionDef } from './option-table.js'
import { UsageError } from './usage.js'

/** `:::` words, `:::+` words linked to the source before, `::::` files, `::::+` files linked. */
export const SEPARATORS: ReadonlySet<string> = new Set([':::', ':::+', '::::', '::::+'])

export interface ParsedArgv {
  /** By option name: true for a flag, the value (the last one, or all with `repeat`) otherwise. */
  values: Map<string, string | string[] | true>
  /** The command and its input sources, from the first word that is not an option. */
  rest: string[]
}

export function parseArgv(argv: readonly string[]): ParsedArgv {
  const values = new Map<string, string | string[] | true>()
  const set = (def: OptionDef, value: string | true): void => {
    if (def.repeat === true) values.set(def.name, [...((values.get(def.name) as string[] | undefined) ?? []), value as string])
    else values.set(def.name, value)
  }
  let i = 0
  const valueFor = (def: OptionDef): string => {
    if (i + 1 >= argv.length) throw new UsageError(`option '${optionTitle(def)}' needs a value`)
    return argv[++i]!
  }
  for (; i < argv.length; i++) {
    const word = argv[i]!
    if (word === '--') return { values, rest: argv.slice(i + 1) }
    if (SEPARATORS.has(word) || !word.startsWith('-') || word === '-') return { values, rest: argv.slice(i) }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=')
      const name = eq === -1 ? word.slice(2) : word.slice(2, eq)
      const def = longOption(name)
      if (def === undefined) throw new UsageError(`unknown option '--${name}'`)
      if (def.value === undefined) {
        if (eq !== -1) throw new UsageError(`option '--${name}' takes no value`)
        set(def, true)
      } else {
        set(def, eq === -1 ? valueFor(def) : word.slice(eq + 1))
      }
      continue
    }
    // A group of short options: the first that takes a value takes the rest of the word, or the next word.
    for (let k = 1; k < word.length; k++) {
      const def = shortOption(word[k]!)
      if (def === undefined) throw new UsageError(`unknown option '-${word[k]}'`)
      if (def.value === undefined) {
        set(def, true)
        continue
      }
      set(def, k < word.length - 1 ? word.slice(k + 1) : valueFor(def))
      break
    }
  }
  return { values, rest: [] }
}
