import t from 'tap'
import { forkpool } from '../helpers/cli.js'

t.test('replacement strings', async (t) => {
  const run = await forkpool(['-k', '-j', '1', 'echo', '{}|{.}|{/}|{//}|{/.}|{#}|{%}', ':::', 'dir/sub/file.tar.gz', 'plain'])
  t.equal(run.stdout, 'dir/sub/file.tar.gz|dir/sub/file.tar|file.tar.gz|dir/sub|file.tar|1|1\nplain|plain|plain|.|plain|2|1\n')
})

t.test('{%} numbers slots 1..N, never two running jobs in one slot', async (t) => {
  const dir = t.testdir()
  // mkdir is atomic: a second job in a slot that is still held would fail it and say so.
  const script = `mkdir ${dir}/slot-{%} || echo CLASH; echo {%}; sleep 0.2; rmdir ${dir}/slot-{%}`
  const run = await forkpool(['-j', '3', '--shell', script, ':::', '1', '2', '3', '4', '5', '6'])
  t.equal(run.code, 0)
  t.notMatch(run.stdout, /CLASH/)
  const slots = run.stdout.trim().split('\n')
  t.equal(slots.length, 6)
  t.same([...new Set(slots)].sort(), ['1', '2', '3'])
})

t.test('arguments with spaces, quotes and $ pass through untouched, without a shell', async (t) => {
  const odd = [`it's "quoted"`, 'two  spaces', '$HOME and `date`', '*']
  const run = await forkpool(['-k', 'printf', '[%s]\\n', ':::', ...odd])
  t.equal(run.stdout, odd.map((a) => `[${a}]\n`).join(''))
})

import { expandArgv, expandShellLine, expandText, transform } from '../../dist/lib/cli/replace.js'
import { shellQuote } from '../../dist/lib/util/shell-quote.js'

t.test('transform: GNU parallel\'s {.} {/} {//} {/.}', async (t) => {
  const cases: Array<[string, string, string, string, string]> = [
    // value, {.}, {/}, {//}, {/.}
    ['a/b.c/d', 'a/b.c/d', 'd', 'a/b.c', 'd'],
    ['x.tar.gz', 'x.tar', 'x.tar.gz', '.', 'x.tar'],
    ['/abs/f.txt', '/abs/f', 'f.txt', '/abs', 'f'],
    ['.hidden', '', '.hidden', '.', ''],
  ]
  for (const [value, dot, base, dir, baseDot] of cases) {
    t.same([transform(value, '.'), transform(value, '/'), transform(value, '//'), transform(value, '/.'), transform(value, '')],
      [dot, base, dir, baseDot, value], value)
  }
})

t.test('shellQuote leaves plain words alone and quotes the rest', async (t) => {
  t.equal(shellQuote('a/b-c.d_e:f,g=h+i@j%k'), 'a/b-c.d_e:f,g=h+i@j%k')
  t.equal(shellQuote(''), "''")
  t.equal(shellQuote("it's"), `'it'\\''s'`)
  t.equal(shellQuote('$x y'), `'$x y'`)
})

t.test('expandArgv and expandShellLine: several values make several words, as the shell makes them', async (t) => {
  const input = { records: [['a b', 'c.d']], seq: 4, slot: 2 }
  t.same(expandArgv(['echo', 'x'], input), ['echo', 'x', 'a b', 'c.d'], 'no replacement string: appended')
  t.same(expandArgv(['echo', '{}', '{2.}', '{#}/{%}', '{3}', 'k{3}'], input), ['echo', 'a b', 'c.d', 'c', '4/2', '', 'k'],
    'a missing argument is empty')
  t.same(expandArgv(['echo', 'pre{}post', '{-1}', '{-2/}'], input), ['echo', 'prea b', 'c.dpost', 'c.d', 'a b'])
  t.equal(expandShellLine(['echo', '{1}', '|', 'cat'], input), "echo 'a b' | cat")
  t.equal(expandShellLine(['echo'], input), "echo 'a b' c.d")
  t.equal(expandShellLine(['echo {}'], input), "echo 'a b' c.d")
  t.equal(expandShellLine(['echo', 'a  b', '|', 'cat'], input, {}, true), "echo 'a  b' '|' cat 'a b' c.d", '-q quotes the command too')
})

t.test('-I, --header names, -X context, -N0', async (t) => {
  const input = { records: [['1', 'x'], ['2', 'y']], seq: 1, slot: 1 }
  t.same(expandArgv(['echo', '@@', '{}', '{2}'], input, { replace: '@@' }), ['echo', '1', 'x', '2', 'y', '{}', 'x'])
  t.same(expandArgv(['echo', '{n}', '{col.}', '{n}{nn}'], { records: [['v', 'f.txt']], seq: 1, slot: 1 }, {
    names: new Map([['n', 1], ['col', 2], ['nn', 2]]),
  }),
  ['echo', 'v', 'f', 'vf.txt'])
  t.same(expandArgv(['echo', 'a{}b', '{#}'], input, { context: true }), ['echo', 'a1', 'xb', 'a2', 'yb', '1'])
  t.same(expandArgv(['echo', 'x'], input, { hidden: true }), ['echo', 'x'])
  t.same(expandArgv(['echo', '{}', '{1}', '{#}'], input, { hidden: true }), ['echo', '1'],
    '-N0: a word that is one replacement string is left out')
  t.same(expandArgv(['echo', 'a{}b', '{1}{-1}', '{#}{1}'], input, { hidden: true }), ['echo', 'ab', '', '1'],
    '-N0: no replacement string stands for an argument')
  t.equal(expandText('{1}-{#}', input), '1-1')
  t.equal(expandText('plain', input), 'plain')
})
