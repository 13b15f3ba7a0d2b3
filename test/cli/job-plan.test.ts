import t from 'tap'
import { forkpool } from '../helpers/cli.js'

t.test('--shell runs a command line through /bin/sh, arguments quoted', async (t) => {
  const run = await forkpool(['-k', '--shell', 'echo {} | tr a-z A-Z', ':::', 'abc', "it's $HOME"])
  t.equal(run.stdout, "ABC\nIT'S $HOME\n")
  const appended = await forkpool(['-k', '--shell', 'echo', ':::', 'a b', '$c'])
  t.equal(appended.stdout, 'a b\n$c\n')
})

t.test('a quoted shell line (GNU parallel\'s habit) not found: the error says to add --shell', async (t) => {
  const run = await forkpool(['echo {} | tr a-z A-Z', ':::', 'abc'])
  t.equal(run.code, 1)
  t.equal(run.stdout, '')
  t.match(run.stderr, /^forkpool: job 1: command not found: echo abc \| tr a-z A-Z \(.*\); to run it through a shell, add --shell\n$/)
  const metachar = await forkpool(['ls>{}', ':::', 'out'])
  t.match(metachar.stderr, /command not found: ls>out .*; to run it through a shell, add --shell\n$/,
    'a shell metacharacter without a space')
  const withShell = await forkpool(['--shell', 'no-such-program-xyz {}', ':::', 'a'])
  t.notMatch(withShell.stderr, /add --shell/, 'with --shell already: no such hint')
})

t.test('a program that is not there fails its job with a clear line', async (t) => {
  const run = await forkpool(['no-such-program-xyz', ':::', 'a'])
  t.equal(run.code, 1)
  t.match(run.stderr, /forkpool: job 1: command not found: no-such-program-xyz/)
  t.notMatch(run.stderr, /--shell/, 'a plain name not found: no hint about --shell')
  // An argument that expands to an empty program name is refused by the library: that job fails, the rest run.
  const empty = await forkpool(['-k', '{}', ':::', '', 'true'])
  t.equal(empty.code, 1)
  t.match(empty.stderr, /forkpool: job 1: job.command must be a non-empty string/)
})

import { planJob } from '../../dist/lib/cli/job-plan.js'
import { worker } from '../helpers/paths.js'

t.test('planJob: argv, shell line, worker data', async (t) => {
  const input = { records: [['a b']], seq: 1, slot: 1 }
  const base = {
    command: ['echo', '{}'], shell: false, quote: false, grouping: 'group' as const, worker: undefined, isolation: 'process' as const,
    nice: undefined,
  }
  t.same(planJob(base, input), { spec: { command: 'echo', args: ['a b'], capture: true, encoding: 'latin1' }, display: "echo 'a b'" })
  t.same(planJob({ ...base, shell: true, grouping: 'ungroup' }, input), {
    spec: { command: "echo 'a b'", shell: true }, display: "echo 'a b'",
  })
  t.same(planJob({ ...base, nice: 5 }, input, {}, Buffer.from('in')), {
    spec: {
      command: 'nice', args: ['-n', '5', 'echo', 'a b'], capture: true, encoding: 'latin1', input: Buffer.from('in'),
    }, display: "nice -n 5 echo 'a b'",
  })
  t.same(planJob({ ...base, nice: 5, shell: true }, input), {
    spec: {
      command: 'nice', args: ['-n', '5', '/bin/sh', '-c', "echo 'a b'"], capture: true, encoding: 'latin1',
    }, display: `nice -n 5 /bin/sh -c 'echo '\\''a b'\\'''`,
  })
  const relayed = planJob({ ...base, grouping: 'line' }, input, {}, undefined, { out: 'o', err: 'e' })
  t.match(relayed, { spec: { command: '/bin/sh', args: ['-c', /exec "\$@"/, 'o', 'e', 'echo', 'a b'] }, display: "echo 'a b'" })
  t.match(planJob({ ...base, grouping: 'line', shell: true }, input, {}, Buffer.from('x'), { out: 'o', err: 'e' }), {
    spec: { args: ['-c', /exec/, 'o', 'e', '/bin/sh', '-c', "echo 'a b'"], input: Buffer.from('x') },
  })
  t.same(planJob({ ...base, command: [], worker: 'w.js' }, { records: [['{"n":1}']], seq: 1, slot: 1 }),
    { spec: { worker: 'w.js', isolation: 'process', data: { n: 1 } }, display: `w.js '{"n":1}'` })
  t.same(planJob({ ...base, command: [], worker: 'w.js' }, { records: [['1', '"x"']], seq: 1, slot: 1 }).spec, {
    worker: 'w.js', isolation: 'process', data: [1, 'x'],
  })
  t.match(planJob({ ...base, command: [], worker: 'w.js' }, { records: [['nope']], seq: 1, slot: 1 }), {
    error: { name: 'SyntaxError', message: /the argument is not JSON/ },
  })
})

t.test('--worker: each stdin line is JSON data, each result one JSON line, in input order with -k', async (t) => {
  const run = await forkpool(['-k', '--worker', worker('square')], { input: '3\n\n4\n 5 \n' })
  t.equal(run.code, 0)
  t.same(run.stdout.trim().split('\n').map((line): unknown => JSON.parse(line)), [
    { ident: '1', exitCode: 0, data: 9, error: null },
    { ident: '2', exitCode: 0, data: 16, error: null },
    { ident: '3', exitCode: 0, data: 25, error: null },
  ], 'blank lines carry no job')
})

t.test('--worker failures: a throw, a bad JSON line; --isolation thread; ::: arguments', async (t) => {
  const run = await forkpool(['-k', '--worker', worker('faults'), '--isolation', 'thread'], {
    input: '{"mode":"ok","value":[1]}\n{"mode":"throw"}\nnot json\n',
  })
  t.equal(run.code, 2)
  const [ok, thrown, bad] = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)
  t.same(ok, { ident: '1', exitCode: 0, data: [1], error: null })
  t.match(thrown, { ident: '2', exitCode: 1, data: null, error: { name: 'RangeError', message: 'asked to throw in 2' } })
  t.match(bad, { ident: '3', exitCode: null, error: { name: 'SyntaxError', message: /not JSON.*not json/ } })
  const groups = await forkpool(['-k', '--worker', worker('square'), ':::', '6', '7'])
  t.same(groups.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { data: unknown }).data), [36, 49])
  const pooled = await forkpool(['-k', '-j', '2', '--worker', worker('square'), '--isolation', 'process-pool', ':::', '2', '3', '4'])
  t.same(pooled.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { data: unknown }).data), [4, 9, 16],
    '--isolation process-pool')
})
