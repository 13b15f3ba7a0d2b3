import t from 'tap'
import { forkpool } from '../helpers/cli.js'

t.test('bad usage: one clear line, a usage hint, exit 255', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--frobnicate', 'echo'], /^forkpool: unknown option '--frobnicate'$/],
    [['-j', 'lots', 'echo'], /^forkpool: -j\/--jobs must be/],
    [['--timeout', 'soon', 'echo'], /^forkpool: --timeout "soon" is not a duration/],
    [['--retries=-1', 'echo'], /^forkpool: --retries must be a whole number/],
    [['--retries', '-1', 'echo'], /^forkpool: --retries must be a whole number, got "-1"$/],
    [['--halt', '-3', 'echo'], /^forkpool: --halt must be never/],
    [['--colsep', '(', 'echo'], /^forkpool: --colsep must be a regular expression/],
    [['--load', 'high', 'echo'], /^forkpool: --load must be a number above 0/],
    [['--nice', 'x', 'echo'], /^forkpool: --nice must be a whole number/],
    [['-u', '-k', 'echo'], /^forkpool: --ungroup lets jobs write straight through/],
    [['--pipe', 'wc', ':::', 'a'], /^forkpool: --pipe reads stdin/],
    [['-m', '-n', '0', 'echo'], /^forkpool: -n0\/-N0 put no argument on the command line: not with -m\/-X/],
    [['-X', '-N0', 'echo'], /^forkpool: -n0\/-N0 put no argument on the command line: not with -m\/-X/],
    [['--trim', 'x', 'echo'], /^forkpool: --trim must be n, l, r, lr or rl, got "x"/],
    [['echo', ':::+', 'a'], /^forkpool: :::\+ and ::::\+ link to the input source before them/],
    [['--resume-failed', 'echo'], /^forkpool: --resume-failed needs --joblog FILE/],
    [['--worker', 'w.js', '--pipe'], /^forkpool: --shell, --pipe, --line-buffer, --ungroup and --nice apply to commands/],
    [['echo', '::::', '/no/such/file'], /^forkpool: cannot read the input file "\/no\/such\/file"$/],
    [['--halt', 'sometimes', 'echo'], /^forkpool: --halt must be never/],
    [[':::', 'a'], /^forkpool: missing command/],
    [[], /^forkpool: missing command/],
    [['-j'], /^forkpool: option '-j, --jobs, --max-procs N' needs a value$/],
    [['--worker', 'w.js', 'echo'], /^forkpool: give a COMMAND or --worker FILE, not both/],
    [['--isolation', 'thread', 'echo'], /^forkpool: --isolation applies to --worker only/],
    [['--worker', 'w.js', '--isolation', 'pool'], /^forkpool: --isolation must be process, process-pool or thread, got "pool"/],
    [['--status-port', 'http', 'echo'], /^forkpool: --status-port must be a port number from 0 to 65535, got "http"/],
    [['--status-port', '70000', 'echo'], /^forkpool: --status-port must be a port number/],
    [['--status-token', 's3cret', 'echo'], /^forkpool: --status-token is the token of the status endpoint: it needs --status-port PORT$/],
    [['--status-port', '0', '--status-token', 'two words', 'echo'],
      /^forkpool: --status-token must be visible ASCII characters without spaces/],
    [['--worker', 'w.js', '--shell'], /^forkpool: --shell, --pipe, --line-buffer, --ungroup and --nice apply to commands/],
    [['--resume', 'echo'], /^forkpool: --resume needs --joblog FILE/],
    [['--line-buffer', '-k', 'echo'], /^forkpool: --line-buffer prints lines as they come/],
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
import { parseArgv } from '../../dist/lib/cli/argv.js'
import {
  parseCommandLine, parseJobs, parseSeconds, parseSize, splitSources, unescape, AS_MANY_AS_POSSIBLE
} from '../../dist/lib/cli/options.js'
import { OPTION_TABLE } from '../../dist/lib/cli/option-table.js'
import { USAGE, UsageError } from '../../dist/lib/cli/usage.js'

t.test('parseArgv: options end at --, at a separator, or at the first word that is not an option; ' +
  'values may start with a dash', async (t) => {
  const rest = (argv: string[]) => parseArgv(argv).rest
  t.same(rest(['-j', '2', 'echo', '-n']), ['echo', '-n'])
  t.same(rest(['-j2', '--', '-weird', 'x']), ['-weird', 'x'])
  t.same(rest(['-kj', '3', 'cmd']), ['cmd'])
  t.same(rest(['--timeout', '5', '--joblog=x', ':::', 'a']), [':::', 'a'])
  t.same(rest(['-k', '::::', 'f']), ['::::', 'f'])
  t.same(rest(['-k', '-']), ['-'])
  t.same(rest(['--bar', '-k']), [])
  t.same(parseArgv(['--halt', '-1', '-j', '-2', 'x']).values, new Map([['halt', '-1'], ['jobs', '-2']]))
  t.same(parseArgv(['-a', 'f', '--arg-file=g', '-P4', '--dryrun', 'x']).values,
    new Map<string, unknown>([['arg-file', ['f', 'g']], ['P', '4'], ['dry-run', true]]))
  t.throws(() => parseArgv(['--bar=1']), { message: "option '--bar' takes no value" })
  t.throws(() => parseArgv(['-kz']), { message: "unknown option '-z'" })
  t.throws(() => parseArgv(['--halt']), { message: "option '--halt WHEN' needs a value" })
})

t.test('splitSources: :::, :::+, ::::, ::::+ and -a, in order', async (t) => {
  t.same(splitSources(['echo', 'x', ':::', 'a', 'b', ':::+', '1', '2', '::::', 'f', 'g', '::::+', 'h'], ['s']), {
    command: ['echo', 'x'],
    sources: [
      { kind: 'file', file: 's', linked: false },
      { kind: 'words', words: ['a', 'b'], linked: false },
      { kind: 'words', words: ['1', '2'], linked: true },
      { kind: 'file', file: 'f', linked: false },
      { kind: 'file', file: 'g', linked: false },
      { kind: 'file', file: 'h', linked: true },
    ],
  })
  t.same(splitSources(['echo'], []), { command: ['echo'], sources: [] })
})

t.test('parseCommandLine: defaults and every option', async (t) => {
  const defaults = parseCommandLine(['echo'])
  t.match(defaults, {
    help: false, version: false, jobs: availableParallelism(), delayMs: 0, timeoutMs: undefined, tries: 1, halt: null,
    memfree: undefined, load: undefined,
    nice: undefined, sources: [], link: false, delimiter: '\n', noRunIfEmpty: false, colsep: undefined, trim: 'n', header: false,
    maxArgs: undefined,
    nArgs: undefined, multi: undefined, replace: undefined, pipe: false, blockBytes: 1024 * 1024, recstart: '', recend: '\n',
    keepOrder: false, grouping: 'group', tag: false, tagstring: undefined, joblog: undefined, resume: 'none', results: undefined,
    dryRun: false, verbose: false, bar: 'off', shell: false, quote: false, worker: undefined, isolation: 'process',
    statusPort: undefined, statusToken: undefined, command: ['echo'],
  })
  const all = parseCommandLine(['-j', '3', '--delay', '0.5', '--timeout', '1m', '--retries', '2', '--halt', 'now,fail=1', '--memfree', '1G',
    '--load', '3.5',
    '--nice', '-5', '--link', '-0', '-r', '--colsep', ',', '--header', ':', '-n', '2', '-I', '@@', '-k',
    '--tagstring', '{1}', '--joblog', 'log',
    '--resume-failed', '--results', 'out', '--dry-run', '-t', '--force-bar', '--shell', '-q', '--', 'cmd', 'x', ':::', 'a', ':::'])
  t.match(all, {
    jobs: 3, delayMs: 500, timeoutMs: 60_000, tries: 2, halt: { when: 'now', on: 'fail', count: 1 }, memfree: 2 ** 30, load: 3.5, nice: -5,
    link: true, delimiter: '\0', noRunIfEmpty: true, colsep: /,/, trim: 'lr', header: true, maxArgs: 2, replace: '@@', keepOrder: true,
    tag: true, tagstring: '{1}',
    joblog: 'log', resume: 'failed', results: 'out', dryRun: true, verbose: true, bar: 'always', shell: true, quote: true, command: ['cmd',
      'x'],
    sources: [{ kind: 'words', words: ['a'] }, { kind: 'words', words: [] }]
  })
  t.match(parseCommandLine(['--pipe', '--block', '10k', '--recstart', 'A', 'x']), {
    pipe: true, blockBytes: 10_000, recstart: 'A', recend: '',
  })
  t.match(parseCommandLine(['--pipe', '--recend', '\\0', 'x']), { recend: '\0' })
  t.match(parseCommandLine(['-N0', 'x']), { nArgs: 0, multi: undefined })
  t.match(parseCommandLine(['-X', 'x']), { multi: 'X' })
  t.match(parseCommandLine(['-m', '-n', '1000', 'x']), { multi: 'm', maxArgs: 1000 }, '-n with -m: at most N per line')
  t.match(parseCommandLine(['-X', '-N', '3', 'x']), { multi: 'X', nArgs: 3 })
  t.match(parseCommandLine(['-n0', 'x']), { maxArgs: 0 })
  t.match(parseCommandLine(['--trim', 'rl', 'x']), { trim: 'lr' })
  t.match(parseCommandLine(['--trim', 'r', '--colsep', ',', 'x']), { trim: 'r' })
  t.match(parseCommandLine(['--trim', 'l', 'x']), { trim: 'l' })
  t.match(parseCommandLine(['-m', '-d', '\\t', '-P', '5', '--retries', '0', 'x']), { multi: 'm', delimiter: '\t', jobs: 5, tries: 1 })
  t.match(parseCommandLine(['--bar', 'x']), { bar: 'tty' })
  t.match(parseCommandLine(['--eta', '--tag', '--resume', '--joblog', 'l', 'x']), {
    bar: 'tty', tag: true, tagstring: undefined, resume: 'all',
  })
  t.match(parseCommandLine(['--line-buffer', 'x']), { grouping: 'line' })
  t.match(parseCommandLine(['-u', 'x']), { grouping: 'ungroup' })
  t.match(parseCommandLine(['--load', '50%', 'x']), { load: availableParallelism() / 2 })
  t.match(parseCommandLine(['--worker', 'w.js', '--isolation', 'thread']), { worker: 'w.js', isolation: 'thread', command: [] })
  t.match(parseCommandLine(['--worker', 'w.js', '--isolation', 'process-pool', '--status-port', '0']), {
    isolation: 'process-pool', statusPort: 0,
  })
  // --help and --version need no command.
  t.equal(parseCommandLine(['--help']).help, true)
  t.equal(parseCommandLine(['-V']).version, true)
})

t.test('parseJobs, parseSeconds, parseSize, unescape', async (t) => {
  t.equal(parseJobs('7'), 7)
  t.equal(parseJobs('100%'), availableParallelism())
  t.equal(parseJobs('1%'), 1, 'never below one job')
  t.equal(parseJobs('0%'), 1)
  t.equal(parseJobs('0'), AS_MANY_AS_POSSIBLE)
  t.equal(parseJobs('+2'), availableParallelism() + 2)
  t.equal(parseJobs('-1000'), 1)
  t.throws(() => parseJobs('lots'), UsageError)
  t.equal(parseSeconds('2', '--timeout'), 2000)
  t.equal(parseSeconds('0.5', '--timeout'), 500)
  t.equal(parseSeconds('1m30s', '--timeout'), 90_000)
  t.throws(() => parseSeconds('0', '--timeout'), { name: 'UsageError', message: /--timeout must be longer than zero/ })
  t.same(['1', '2k', '2K', '1.5M', '1g', '1T'].map((s) => parseSize(s, 'x')), [1, 2000, 2048, 1.5 * 2 ** 20, 1e9, 2 ** 40])
  t.throws(() => parseSize('0', '--block'), /--block must be a size above 0/)
  t.throws(() => parseSize('1X', '--block'), /--block must be a size/)
  t.equal(unescape('a\\tb\\n\\0\\x41\\101\\\\\\q'), 'a\tb\n\0AA\\\\q')
})

t.test('--help lists every option of the table', async (t) => {
  for (const def of OPTION_TABLE) {
    const name = def.name.length > 1 ? `--${def.name}` : `-${def.short}`
    t.ok(USAGE.includes(name), name)
  }
})

t.test('--status-token, else FORKPOOL_STATUS_TOKEN (kept off the command line), with --status-port only', async (t) => {
  const saved = process.env.FORKPOOL_STATUS_TOKEN
  t.teardown(() => {
    if (saved === undefined) delete process.env.FORKPOOL_STATUS_TOKEN
    else process.env.FORKPOOL_STATUS_TOKEN = saved
  })
  delete process.env.FORKPOOL_STATUS_TOKEN
  t.match(parseCommandLine(['--status-port', '0', '--status-token', 'flag-token', 'x']), { statusPort: 0, statusToken: 'flag-token' })
  t.equal(parseCommandLine(['--status-port', '0', 'x']).statusToken, undefined, 'no token: cancelling stays off')
  process.env.FORKPOOL_STATUS_TOKEN = 'env-token'
  t.equal(parseCommandLine(['--status-port', '0', 'x']).statusToken, 'env-token')
  t.equal(parseCommandLine(['--status-port', '0', '--status-token', 'flag-token', 'x']).statusToken, 'flag-token', 'the flag wins')
  t.equal(parseCommandLine(['x']).statusToken, undefined, 'the variable alone serves nothing')
  process.env.FORKPOOL_STATUS_TOKEN = ''
  t.equal(parseCommandLine(['--status-port', '0', 'x']).statusToken, undefined, 'an empty variable is no token')
  process.env.FORKPOOL_STATUS_TOKEN = 'has space'
  t.throws(() => parseCommandLine(['--status-port', '0', 'x']), {
    name: 'UsageError', message: /^FORKPOOL_STATUS_TOKEN must be visible ASCII characters without spaces/,
  })
})
