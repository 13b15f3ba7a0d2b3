import t from 'tap'
import { forkpool } from '../helpers/cli.js'

t.test('bad usage: one clear line, a usage hint, exit 255', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--frobnicate', 'echo'], /^forkpool: unknown option '--frobnicate'$/],
    [['-j', '0', 'echo'], /^forkpool: -j\/--jobs must be a whole number above 0/],
    [['-j', 'lots', 'echo'], /^forkpool: -j\/--jobs must be/],
    [['--timeout', 'soon', 'echo'], /^forkpool: --timeout "soon" is not a duration/],
    [['--retries=-1', 'echo'], /^forkpool: --retries must be a whole number/],
    [['--retries', '-1', 'echo'], /^forkpool: option '--retries' argument is ambiguous$/],
    [['--halt', 'sometimes', 'echo'], /^forkpool: --halt must be never/],
    [[':::', 'a'], /^forkpool: missing command/],
    [[], /^forkpool: missing command/],
    [['-j'], /^forkpool: option '-j, --jobs <value>' argument missing$/],
    [['--worker', 'w.js', 'echo'], /^forkpool: give a COMMAND or --worker FILE, not both/],
    [['--isolation', 'thread', 'echo'], /^forkpool: --isolation applies to --worker only/],
    [['--worker', 'w.js', '--isolation', 'pool'], /^forkpool: --isolation must be process, process-pool or thread, got "pool"/],
    [['--status-port', 'http', 'echo'], /^forkpool: --status-port must be a port number from 0 to 65535, got "http"/],
    [['--status-port', '70000', 'echo'], /^forkpool: --status-port must be a port number/],
    [['--worker', 'w.js', '--shell'], /^forkpool: --shell applies to commands/],
    [['--resume', 'echo'], /^forkpool: --resume needs --joblog FILE/],
    [['--line-buffer', '-k', 'echo'], /^forkpool: --line-buffer lets jobs write straight through/],
  ]
  for (const [args, message] of cases) {
    const run = await forkpool(args)
    t.equal(run.code, 255, args.join(' '))
    const lines = run.stderr.split('\n')
    t.match(lines[0], message, args.join(' '))
    t.equal(lines[1], "Try 'forkpool --help' for usage.")
    t.equal(lines.length, 3, 'two lines and nothing else')
    t.equal(run.stdout, '')
  }
})

t.test('options end at the command: its own options stay its own', async (t) => {
  const run = await forkpool(['-kj1', 'printf', '-%s-\\n', ':::', 'a'])
  t.equal(run.stdout, '-a-\n')
  const valueWords = await forkpool(['-j', '1', '--timeout=5s', '-k', 'echo', '-n', 'x', ':::', 'a'])
  t.equal(valueWords.stdout, 'x a')
})

import { availableParallelism } from 'node:os'
import { parseCommandLine, parseJobs, parseTimeout, splitCommandLine } from '../../dist/lib/cli/options.js'
import { UsageError } from '../../dist/lib/cli/usage.js'

t.test('splitCommandLine: options end at --, at :::, or at the first word that is not an option', async (t) => {
  t.same(splitCommandLine(['-j', '2', 'echo', '-n']), { options: ['-j', '2'], rest: ['echo', '-n'] })
  t.same(splitCommandLine(['-j2', '--', '-weird', 'x']), { options: ['-j2'], rest: ['-weird', 'x'] })
  t.same(splitCommandLine(['-kj', '3', 'cmd']), { options: ['-kj', '3'], rest: ['cmd'] })
  t.same(splitCommandLine(['--timeout', '5', '--joblog=x', ':::', 'a']), { options: ['--timeout', '5', '--joblog=x'], rest: [':::', 'a'] })
  t.same(splitCommandLine(['-k', '-']), { options: ['-k'], rest: ['-'] })
  t.same(splitCommandLine(['--bar', '-k']), { options: ['--bar', '-k'], rest: [] })
})

t.test('parseCommandLine: defaults and every option', async (t) => {
  const defaults = parseCommandLine(['echo'])
  t.match(defaults, {
    help: false, version: false, jobs: availableParallelism(), timeoutMs: undefined, retries: 0, halt: null,
    keepOrder: false, lineBuffer: false, joblog: undefined, resume: false, results: undefined, dryRun: false,
    bar: 'off', nul: false, shell: false, worker: undefined, isolation: 'process', command: ['echo'], groups: undefined,
  })
  const all = parseCommandLine(['-j', '3', '--timeout', '1m', '--retries', '2', '--halt', 'now,fail=1', '-k', '--group',
    '--joblog', 'log', '--resume', '--results', 'out', '--dry-run', '--force-bar', '-0', '--shell', '--', 'cmd', 'x', ':::', 'a', ':::'])
  t.match(all, { jobs: 3, timeoutMs: 60_000, retries: 2, halt: { when: 'now', on: 'fail', count: 1 }, keepOrder: true,
    joblog: 'log', resume: true, results: 'out', dryRun: true, bar: 'always', nul: true, shell: true, command: ['cmd', 'x'], groups: [['a'], []] })
  t.equal(parseCommandLine(['--bar', 'x']).bar, 'tty')
  t.match(parseCommandLine(['--worker', 'w.js', '--isolation', 'thread']), { worker: 'w.js', isolation: 'thread', command: [] })
  t.match(parseCommandLine(['--worker', 'w.js', '--isolation', 'process-pool', '--status-port', '0']), { isolation: 'process-pool', statusPort: 0 })
  t.match(parseCommandLine(['echo']), { isolation: 'process', statusPort: undefined })
  t.match(parseCommandLine(['--line-buffer', 'x']), { lineBuffer: true })
  // --help and --version need no command.
  t.equal(parseCommandLine(['--help']).help, true)
  t.equal(parseCommandLine(['--version']).version, true)
})

t.test('parseJobs and parseTimeout', async (t) => {
  t.equal(parseJobs('7'), 7)
  t.equal(parseJobs('100%'), availableParallelism())
  t.equal(parseJobs('1%'), 1, 'never below one job')
  t.throws(() => parseJobs('0%'), UsageError)
  t.throws(() => parseJobs('-1'), UsageError)
  t.equal(parseTimeout('2'), 2000)
  t.equal(parseTimeout('0.5'), 500)
  t.equal(parseTimeout('1m30s'), 90_000)
  t.throws(() => parseTimeout('0'), { name: 'UsageError', message: /--timeout must be longer than zero/ })
})
