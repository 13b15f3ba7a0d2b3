// A word as a POSIX shell reads it back: bare when it is safe, else in single quotes.

/** `word` quoted for /bin/sh: unchanged when it holds only characters no shell treats specially. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}
