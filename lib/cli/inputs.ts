// Where the jobs' arguments come from: the input sources (`:::` words, `::::` and -a files,
// stdin), each value split into columns (--colsep), named by a header (--header), and the sources
// combined: every combination, the first source varying slowest, or linked (:::+, ::::+, --link).

import { readFileSync } from 'node:fs'
import type { CliOptions, SourceSpec } from './options.js'

/** One argument set: the columns of one value of each source, in source order. */
export type InputRecord = string[]

export interface Inputs {
  records: AsyncIterable<InputRecord>
  /** --header: column name → its position in a record, from 1. Filled before the first record comes. */
  names: Map<string, number>
}

type ReadOptions = Pick<CliOptions, 'sources' | 'link' | 'delimiter' | 'noRunIfEmpty' | 'colsep' | 'trim' | 'header'>

/** Every combination of the groups, the first group varying slowest (GNU parallel's order). */
export function* cartesian<T>(groups: readonly (readonly T[])[]): Generator<T[]> {
  if (groups.some((g) => g.length === 0)) return
  const index = groups.map(() => 0)
  for (;;) {
    yield groups.map((g, i) => g[index[i]!]!)
    let i = groups.length - 1
    while (i >= 0 && ++index[i]! === groups[i]!.length) index[i--] = 0
    if (i < 0) return
  }
}

/** Linked sources: the Nth value of each; `wrap` (--link) runs to the longest, the short ones wrapping, else to the shortest (:::+). */
export function linked<T>(sources: readonly (readonly T[])[], wrap: boolean): T[][] {
  const lengths = sources.map((s) => s.length)
  if (lengths.includes(0)) return []
  const n = wrap ? Math.max(...lengths) : Math.min(...lengths)
  return Array.from({ length: n }, (_, i) => sources.map((s) => s[i % s.length]!))
}

/** Splits a text stream into records at `separator`; a final separator does not start an empty record. */
export async function* records(stream: AsyncIterable<string>, separator: string): AsyncGenerator<string> {
  let pending = ''
  for await (const chunk of stream) {
    const parts = (pending + chunk).split(separator)
    pending = parts.pop()!
    yield* parts
  }
  if (pending !== '') yield pending
}

export function readInputs(o: ReadOptions, stdin: AsyncIterable<string>): Inputs {
  const names = new Map<string, number>()
  const streamed = o.sources.length === 0 ? true : o.sources.length === 1 && o.sources[0]!.kind === 'file' && o.sources[0]!.file === '-'
  if (streamed) return { records: streamRecords(o, records(stdin, o.delimiter), names), names }
  return { records: combined(o, stdin, names), names }
}

/** One source read as it comes (stdin alone): jobs start while it is still being read. */
async function* streamRecords(o: ReadOptions, values: AsyncIterable<string>, names: Map<string, number>): AsyncGenerator<InputRecord> {
  let first = o.header
  for await (const value of values) {
    if (o.noRunIfEmpty && value.trim() === '') continue
    const columns = columnsOf(value, o.colsep)
    if (first) {
      first = false
      columns.forEach((name, i) => names.set(name, i + 1))
      continue
    }
    yield trimmed(columns, o.trim)
  }
}

async function* combined(o: ReadOptions, stdin: AsyncIterable<string>, names: Map<string, number>): AsyncGenerator<InputRecord> {
  const sources: string[][][] = []
  let position = 1
  for (const spec of o.sources) {
    let values = await sourceValues(spec, o, stdin)
    if (o.noRunIfEmpty) values = values.filter((v) => v.trim() !== '')
    let columns = values.map((v) => columnsOf(v, o.colsep))
    if (o.header) {
      const header = columns[0] ?? []
      header.forEach((name, i) => names.set(name, position + i))
      columns = columns.slice(1)
    }
    columns = columns.map((record) => trimmed(record, o.trim))
    position += columns[0]?.length ?? 1
    sources.push(columns)
  }
  // Link groups: a linked source joins the group before it; --link makes one group of all.
  const groups: string[][][][] = []
  for (const [i, source] of sources.entries()) {
    if (o.link ? i > 0 : o.sources[i]!.linked) groups.at(-1)!.push(source)
    else groups.push([source])
  }
  const perGroup = groups.map((group) => (group.length === 1 ? group[0]! : linked(group, o.link).map((set) => set.flat())))
  for (const combination of cartesian(perGroup)) yield combination.flat()
}

async function sourceValues(spec: SourceSpec, o: ReadOptions, stdin: AsyncIterable<string>): Promise<string[]> {
  if (spec.kind === 'words') return spec.words
  const all: string[] = []
  if (spec.file === '-') for await (const value of records(stdin, o.delimiter)) all.push(value)
  else all.push(...readFileSync(spec.file, 'utf8').split(o.delimiter))
  if (spec.file !== '-' && all.at(-1) === '') all.pop()
  return all
}

function columnsOf(value: string, colsep: RegExp | undefined): string[] {
  return colsep === undefined ? [value] : value.split(colsep)
}

/** --trim: Perl's \s (ASCII white space), as GNU parallel trims; header names are left as they are, as GNU leaves them. */
function trimmed(columns: string[], trim: ReadOptions['trim']): string[] {
  if (trim === 'n') return columns
  return columns.map((column) => {
    let text = column
    if (trim !== 'r') text = text.replace(/^[ \t\n\v\f\r]+/, '')
    if (trim !== 'l') text = text.replace(/[ \t\n\v\f\r]+$/, '')
    return text
  })
}
