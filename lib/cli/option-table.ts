// Every option of the forkpool command: its names, whether it takes a value, and its line in --help.
// One table, so the parser and the help cannot disagree.

export interface OptionDef {
  /** The long name, without dashes; the key the parsed value is stored under. */
  name: string
  short?: string
  /** Other long names (GNU parallel's spellings). */
  aliases?: readonly string[]
  /** The value's placeholder in --help; absent for a flag. */
  value?: string
  /** Given more than once, every value is kept (-a). */
  repeat?: boolean
  help: string
}

export const OPTION_TABLE: readonly OptionDef[] = [
  {
    name: 'jobs', short: 'j', aliases: ['max-procs'], value: 'N',
    help: 'jobs at once: N, N% of the cores, +N/-N cores more/less, 0 as many as possible (256)',
  },
  { name: 'P', short: 'P', value: 'N', help: 'the same as -j' },
  { name: 'delay', value: 'DURATION', help: 'wait DURATION between job starts (a bare number is seconds)' },
  { name: 'timeout', value: 'DURATION', help: 'stop a job after DURATION (5s, 1m30s, 250ms; a bare number is seconds)' },
  { name: 'retries', value: 'N', help: 'run a failing job at most N times in all (GNU parallel\'s meaning)' },
  { name: 'halt', value: 'WHEN', help: 'stop after failures: now|soon,fail|success|done=N|P%, never, or 0 1 2 -1 -2' },
  { name: 'memfree', value: 'SIZE', help: 'start a job only while at least SIZE memory is free (1G, 512M)' },
  { name: 'load', value: 'MAX', help: 'start a job only while the 1-minute load average is below MAX (N% of the cores)' },
  { name: 'nice', value: 'N', help: 'run the commands under nice -n N (the nice program, no shell)' },
  {
    name: 'arg-file', short: 'a', value: 'FILE', repeat: true,
    help: 'an input source: one argument per line of FILE (- is stdin); repeatable',
  },
  { name: 'link', aliases: ['xapply'], help: 'link the input sources: the Nth job takes the Nth value of each (shorter ones wrap)' },
  { name: 'null', short: '0', help: 'arguments in files and stdin are separated by NUL' },
  { name: 'delimiter', short: 'd', value: 'DELIM', help: 'arguments are separated by DELIM (C escapes like \\n \\t \\0 allowed)' },
  { name: 'no-run-if-empty', short: 'r', help: 'skip arguments that are empty or only whitespace' },
  { name: 'colsep', short: 'C', value: 'REGEX', help: 'split each argument into columns {1} {2} ... at REGEX' },
  {
    name: 'trim', value: 'n|l|r|lr',
    help: 'take white space off each argument: n none (the default), l left, r right, lr both (the default with --colsep)',
  },
  { name: 'header', value: 'REGEX', help: 'the first value of each input source names it: {name} (with --colsep: each column)' },
  {
    name: 'max-args', short: 'n', value: 'N',
    help: 'at most N arguments per command line (also with -m/-X); -n0 reads one per job and inserts none',
  },
  {
    name: 'N', short: 'N', value: 'N', help: 'N arguments per command line, as {1}..{N}; -N0 runs the command once per argument with none',
  },
  { name: 'm', short: 'm', help: 'as many arguments per command line as spread them evenly over the job slots' },
  { name: 'X', short: 'X', help: 'like -m, but a word holding {} is repeated for each argument (context replace)' },
  { name: 'replace', short: 'I', value: 'STR', help: 'use STR instead of {} for the argument' },
  { name: 'pipe', aliases: ['spreadstdin'], help: 'split stdin into blocks, each fed to one job\'s stdin (no arguments)' },
  {
    name: 'block', aliases: ['block-size'], value: 'SIZE',
    help: 'with --pipe: about SIZE bytes per block (default 1M), cut at a record end',
  },
  { name: 'recstart', value: 'STR', help: 'with --pipe: records start with STR' },
  { name: 'recend', value: 'STR', help: 'with --pipe: records end with STR (default \\n)' },
  { name: 'keep-order', short: 'k', help: 'print output in input order' },
  { name: 'group', help: 'print each job\'s output whole when it ends (the default)' },
  { name: 'line-buffer', aliases: ['lb', 'linebuffer'], help: 'print whole lines as jobs write them; lines of jobs may interleave' },
  { name: 'ungroup', short: 'u', help: 'let jobs write straight to stdout/stderr (half lines may mix)' },
  { name: 'tag', help: 'put the job\'s arguments and a TAB before each output line' },
  { name: 'tagstring', value: 'STR', help: 'put STR (replacement strings expanded) and a TAB before each output line' },
  { name: 'joblog', value: 'FILE', help: 'log every job (GNU parallel\'s tab-separated columns)' },
  { name: 'resume', help: 'skip the jobs --joblog FILE records, and append to it' },
  { name: 'resume-failed', help: 'skip the jobs --joblog FILE records as succeeded; run the others again' },
  {
    name: 'results', aliases: ['res'], value: 'DIR',
    help: 'save output to DIR/1/ARG/.../{seq,stdout,stderr}, or to one table (x.csv, x.json); print nothing',
  },
  { name: 'dry-run', aliases: ['dryrun'], help: 'print the commands instead of running them' },
  { name: 'verbose', short: 't', help: 'print each command on stderr before it runs' },
  { name: 'bar', help: 'progress bar with ETA and a summary line on stderr; only the summary when stderr is not a terminal' },
  { name: 'eta', help: 'the same as --bar' },
  { name: 'force-bar', help: 'the progress bar (redrawn in place) whatever stderr is' },
  { name: 'shell', help: 'run the command line through /bin/sh, arguments quoted' },
  { name: 'quote', short: 'q', help: 'with --shell: quote the command\'s words too (without --shell nothing is ever interpreted)' },
  { name: 'worker', value: 'FILE', help: 'run a worker file: each argument is parsed as JSON and passed as data' },
  { name: 'isolation', value: 'KIND', help: 'for --worker: process (default), process-pool or thread' },
  {
    name: 'redis', value: 'URL',
    help: 'run the jobs on `forkpool worker` agents through Redis at URL (default: FORKPOOL_REDIS_URL, with --queue)',
  },
  { name: 'queue', value: 'NAME', help: 'with --redis: the queue the agents take jobs from' },
  { name: 'status-port', value: 'PORT', help: 'serve the status endpoint on 127.0.0.1:PORT while the run lasts (0: any port)' },
  {
    name: 'status-token', value: 'TOKEN',
    help: 'with --status-port: POST /jobs/N/cancel with "Authorization: Bearer TOKEN" cancels job N (default: FORKPOOL_STATUS_TOKEN)',
  },
  { name: 'help', short: 'h', help: 'print this help' },
  { name: 'version', short: 'V', help: 'print forkpool\'s version' },
]

const BY_LONG = new Map<string, OptionDef>()
const BY_SHORT = new Map<string, OptionDef>()
for (const def of OPTION_TABLE) {
  // -N, -m, -X and -P have only their letter.
  if (def.name.length > 1) BY_LONG.set(def.name, def)
  for (const alias of def.aliases ?? []) BY_LONG.set(alias, def)
  if (def.short !== undefined) BY_SHORT.set(def.short, def)
}

export function longOption(name: string): OptionDef | undefined {
  return BY_LONG.get(name)
}

export function shortOption(letter: string): OptionDef | undefined {
  return BY_SHORT.get(letter)
}

/** An option as --help and error messages show it: `-j, --jobs N`. */
export function optionTitle(def: OptionDef): string {
  const names = [def.short && `-${def.short}`, def.name.length > 1 && `--${def.name}`,
    ...(def.aliases ?? []).map((a) => `--${a}`)].filter(Boolean)
  return names.join(', ') + (def.value === undefined ? '' : ` ${def.value}`)
}
