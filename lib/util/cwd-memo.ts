// Remembers what a path or URL resolves to relative to the working directory, which stays the
// same from job to job: start() resolves the same worker file thousands of times.

/**
 * Wraps `fn(key, cwd)` (cwd: `process.cwd()` at the call) so that it runs once per key while the
 * working directory stays the same. A chdir() forgets every answer, and so does the
 * `limit`-th new key, so a program that makes up keys does not grow the memo without end.
 * A call that throws is not remembered.
 */
export function cwdMemo<V extends object | string>(fn: (key: string, cwd: string) => V, limit = 256): (key: string) => V {
  const memo = new Map<string, V>()
  let memoCwd = ''
  return (key) => {
    const cwd = process.cwd()
    if (cwd !== memoCwd) {
      memo.clear()
      memoCwd = cwd
    }
    const known = memo.get(key)
    if (known !== undefined) return known
    const value = fn(key, cwd)
    if (memo.size >= limit) memo.clear()
    memo.set(key, value)
    return value
  }
}
