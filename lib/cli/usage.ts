// What `forkpool --help` prints (every option, from the one option table), and the error a bad command line raises.

import { OPTION_TABLE, optionTitle } from './option-table.js'

/** A bad command line: main prints its message on one line, a hint to --help, and exits 255. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export const USAGE_HINT = "Try 'forkpool --help' for usage."

const options = OPTION_TABLE.map((def) => {
  const title = `  ${optionTitle(def)}`
  return title.length < 28 ? `${title.padEnd(28)}${def.help}` : `${title}\n${' '.repeat(28)}${def.help}`
}).join('\n')

export const USAGE = `Usage: forkpool [options] [--] COMMAND [ARGS...] [::: A B ...] [:::+ C D ...] [:::: FILE ...] [::::+ FILE]
       forkpool [options] --worker FILE [::: JSON ...]
       forkpool worker --redis URL --queue NAME --root DIR [...]   (an agent for --redis: docs/remote.md)

Runs COMMAND once per argument, GNU parallel style. Arguments come from the input sources:
'::: words', ':::: files' (one argument per line) and -a FILE, every combination of them (the
first varying slowest); ':::+' and '::::+' link a source to the one before (the Nth job takes the
Nth of each). Without any, one per line from stdin. No shell is involved unless --shell is given:
a command's words and arguments reach it untouched.

Replacement strings in COMMAND and ARGS (without one, the arguments are appended):
  {}  the argument(s)     {.}  without extension   {/}  basename   {//}  dirname
  {/.} basename without extension   {#}  job number   {%}  slot number
  {1} {2} ...  the first, second ... argument (one per input source, or per -n/-N argument, or
  per --colsep column); {-1} {-2} ... counted from the last; also {1.} {1/} {1//} {1/.}
  {name}  with --header, the column of that name

Options:
${options}

Not supported (they need GNU parallel's shell or its Perl): --sshlogin and remote execution,
{= perl =} replacement strings, --env, --fifo/--cat, --compress, --tmux, --semaphore, --sql.

Exit status: 0 if every job succeeded, 1-100 the number of failed jobs, 101 more than 100,
130 interrupted (Ctrl-C), 255 any other error; with --halt, as GNU parallel.
`
