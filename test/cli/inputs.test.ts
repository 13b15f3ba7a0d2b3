import t from 'tap'
import { forkpool } from '../helpers/cli.js'

t.test('runs the command once per argument, appending it when no replacement string appears', async (t) => {
  const run = await forkpool(['-k', 'echo', 'got', ':::', 'a', 'b', 'c'])
  t.equal(run.code, 0)
  t.equal(run.stdout, 'got a\ngot b\ngot c\n')
  t.equal(run.stderr, '')
})

t.test('several ::: groups: every combination, first group slowest; {1} {2} pick a group', async (t) => {
  const run = await forkpool(['-k', '--', 'echo', '{2}-{1}', ':::', 'a', 'b', ':::', 'x', 'y'])
  t.equal(run.stdout, 'x-a\ny-a\nx-b\ny-b\n')
  const appended = await forkpool(['-k', 'echo', ':::', 'a', ':::', '1', '2'])
  t.equal(appended.stdout, 'a 1\na 2\n')
})

t.test('arguments from stdin, one per line, or NUL-separated with -0 (newlines inside)', async (t) => {
  const lines = await forkpool(['-k', 'printf', '[%s]\\n'], { input: 'one\ntwo words\n$x\n' })
  t.equal(lines.stdout, '[one]\n[two words]\n[$x]\n')
  const nul = await forkpool(['-k', '-0', 'printf', '[%s]\\n'], { input: 'line one\nline two\0second\0' })
  t.equal(nul.stdout, '[line one\nline two]\n[second]\n')
  const unterminated = await forkpool(['-k', 'echo'], { input: 'a\nb' })
  t.equal(unterminated.stdout, 'a\nb\n')
})

import { cartesian, linked, readInputs, records } from '../../dist/lib/cli/inputs.js'

t.test('cartesian: every combination in GNU parallel\'s order; an empty group gives none', async (t) => {
  t.same([...cartesian([['a', 'b'], ['1', '2', '3']])], [['a', '1'], ['a', '2'], ['a', '3'], ['b', '1'], ['b', '2'], ['b', '3']])
  t.same([...cartesian([['only']])], [['only']])
  t.same([...cartesian([['a'], []])], [])
})

t.test('records: split across chunks, no empty record after a final separator, empty records kept inside', async (t) => {
  async function* chunks(...parts: string[]) { yield* parts }
  const all = async (it: AsyncIterable<string>) => { const out: string[] = []; for await (const r of it) out.push(r); return out }
  t.same(await all(records(chunks('ab', 'c\nd', 'e\n\nf\n'), '\n')), ['abc', 'de', '', 'f'])
  t.same(await all(records(chunks('x\0y'), '\0')), ['x', 'y'])
  t.same(await all(records(chunks(), '\n')), [])
})

t.test('linked: to the shortest (:::+), or to the longest with the short ones wrapping (--link)', async (t) => {
  t.same(linked([['a', 'b', 'c'], ['1', '2']], false), [['a', '1'], ['b', '2']])
  t.same(linked([['a', 'b', 'c'], ['1', '2']], true), [['a', '1'], ['b', '2'], ['c', '1']])
  t.same(linked([['a'], []], true), [])
})

t.test('readInputs: files, stdin as a source, -r, --colsep, --header names, link groups', async (t) => {
  const dir = t.testdir({ f: 'f1\nf2\n', g: 'h1,h2\n1,2\n3,4\n' })
  async function* stdin() { yield 'x\n\n  \ny\n' }
  const all = async (it: AsyncIterable<string[]>) => { const out: string[][] = []; for await (const r of it) out.push(r); return out }
  const base = { link: false, delimiter: '\n', noRunIfEmpty: false, colsep: undefined, trim: 'n' as const, header: false }
  const files = readInputs({
    ...base, sources: [{ kind: 'file', file: `${dir}/f`, linked: false }, { kind: 'file', file: '-', linked: true }],
  }, stdin())
  t.same(await all(files.records), [['f1', 'x'], ['f2', '']])
  const skipped = readInputs({ ...base, noRunIfEmpty: true, sources: [] }, stdin())
  t.same(await all(skipped.records), [['x'], ['y']])
  const named = readInputs({
    ...base, header: true, colsep: /,/,
    sources: [{ kind: 'words', words: ['w', 'a'], linked: false }, { kind: 'file', file: `${dir}/g`, linked: false }],
  }, stdin())
  t.same(await all(named.records), [['a', '1', '2'], ['a', '3', '4']])
  t.same([...named.names], [['w', 1], ['h1', 2], ['h2', 3]])
  const trimmed = readInputs({
    ...base, header: true, colsep: /,/, trim: 'lr', sources: [{ kind: 'words', words: [' n ', ' a , b '], linked: false }],
  }, stdin())
  t.same(await all(trimmed.records), [['a', 'b']], '--trim lr: each column trimmed')
  t.same([...trimmed.names], [[' n ', 1]], 'a header name is not trimmed (nor is it in GNU parallel)')
  async function* spaced() { yield ' h ,x\n a ,\tb \n' }
  const streamedTrim = readInputs({ ...base, header: true, colsep: /,/, trim: 'r', sources: [] }, spaced())
  t.same(await all(streamedTrim.records), [[' a', '\tb']], '--trim r, read from stdin')
  t.same([...streamedTrim.names], [[' h ', 1], ['x', 2]])
  const combinedSkip = readInputs({
    ...base, noRunIfEmpty: true, sources: [{ kind: 'words', words: ['a', ' ', ''], linked: false }],
  }, stdin())
  t.same(await all(combinedSkip.records), [['a']], '-r with ::: words')
  const emptyNamed = readInputs({
    ...base, header: true, sources: [{ kind: 'words', words: [], linked: false }, { kind: 'words', words: ['n', 'v'], linked: false }],
  }, stdin())
  t.same(await all(emptyNamed.records), [], 'an empty source: no jobs')
  t.same([...emptyNamed.names], [['n', 2]])
  const streamedHeader = readInputs({ ...base, header: true, sources: [] }, stdin())
  t.same(await all(streamedHeader.records), [[''], ['  '], ['y']])
  t.same([...streamedHeader.names], [['x', 1]])
})
