// What `forkpool --help` prints, and the error a bad command line raises.

/** A bad command line: main prints its message on one line, a hint to --help, and exits 255. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export const USAGE_HINT = "Try 'forkpool --help' for usage."

export const USAGE = `Usage: forkpool [options] [--] COMMAND [ARGS...] [::: A B C ...]...
       forkpool [options] --worker FILE [::: JSON ...]

Runs COMMAND once per argument, GNU parallel style. Arguments come from each ':::' group
(several groups: every combination), or one per line from stdin. No shell is involved unless
--shell is given.

Replacement strings in COMMAND and ARGS (without one, the arguments are appended):
  {}  the argument        {.}  without extension   {/}  basename   {//}  dirname
  {/.} basename without extension   {#}  job number   {%}  slot number
  {1} {2} ...  the argument from the first, second ... ':::' group (also {1.} {1/} {1//} {1/.})

Options:
  -j, --jobs N|N%        jobs at once: N, or N% of the cores (default: the number of cores)
      --timeout DURATION stop a job after DURATION (5s, 1m30s, 250ms; a bare number is seconds)
      --retries N        run a failed job again, up to N more times
      --halt WHEN,fail=N stop after N failed jobs (or P%): 'now' kills running jobs, 'soon' waits
                         for them; also success=N, done=N, never, and the shorthands 0 1 2 -1 -2
  -k, --keep-order       print output in input order
      --group            print each job's output whole when it ends (the default)
      --line-buffer      let jobs write straight to stdout/stderr as they run
      --joblog FILE      log every job (GNU parallel's tab-separated columns)
      --resume           skip the jobs --joblog FILE records, and append to it
      --results DIR      also write each job's stdout, stderr, exitcode and cmd to DIR/SEQ/
      --dry-run          print the commands instead of running them
      --bar              progress bar with ETA, and a summary, on stderr when it is a terminal
      --force-bar        the same, whatever stderr is
  -0, --null             stdin arguments are separated by NUL instead of newline
      --shell            run the command line through /bin/sh, arguments quoted
      --worker FILE      run a worker file: each argument is parsed as JSON and passed as data,
                         each result printed as a JSON line {ident, exitCode, data, error}
      --isolation KIND   for --worker: process (default), process-pool or thread
      --status-port PORT serve the status endpoint (jobs, ps, stats, a page) on 127.0.0.1:PORT
                         while the run lasts; 0 picks a free port; the URL goes to stderr
  -h, --help             print this help
      --version          print forkpool's version

Exit status: 0 if every job succeeded, 1-100 the number of failed jobs, 101 more than 100,
130 interrupted (Ctrl-C), 255 any other error; with --halt, as GNU parallel.
`
