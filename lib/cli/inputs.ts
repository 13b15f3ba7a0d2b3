// Where the jobs' arguments come from: every combination of the ':::' groups, or stdin.

/** Every combination of the groups, the first group varying slowest (GNU parallel's order). */
export function* cartesian(groups: readonly (readonly string[])[]): Generator<string[]> {
  if (groups.some((g) => g.length === 0)) return
  const index = groups.map(() => 0)
  for (;;) {
    yield groups.map((g, i) => g[index[i]!]!)
    let i = groups.length - 1
    while (i >= 0 && ++index[i]! === groups[i]!.length) index[i--] = 0
    if (i < 0) return
  }
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

/** The arguments of every job, as an async sequence of argument lists. */
export async function* jobArguments(groups: string[][] | undefined, stdin: AsyncIterable<string>, separator: string): AsyncGenerator<string[]> {
  if (groups !== undefined) {
    yield* cartesian(groups)
    return
  }
  for await (const record of records(stdin, separator)) yield [record]
}
