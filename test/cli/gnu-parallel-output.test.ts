// The manuals' examples (output: --tag, --dryrun, -t, grouping, --line-buffer, -u, binary bytes, --results) through forkpool and GNU
// parallel side by side,
// where GNU parallel is installed (.ci/run installs Debian's 20221122); see test/helpers/gnu-parallel.ts.
import t from 'tap'
import { compareExamples, type Example, LINE_DEMO, octal } from '../helpers/gnu-parallel.js'

const EXAMPLES: Example[] = [
  // Output.
  { name: 'tutorial: --tag', args: ['-k', '--tag', 'echo', 'foo-{}', ':::', 'A', 'B', 'C'] },
  { name: 'tutorial: --tagstring {}-bar', args: ['-k', '--tagstring', '{}-bar', 'echo', 'foo-{}', ':::', 'A', 'B', 'C'] },
  { name: 'tutorial: --tag with two sources', args: ['-k', '--tag', 'echo', ':::', 'a', 'b', ':::', 'x'] },
  // No -k, as in the tutorial: GNU parallel printed "echo A, echo C, echo B" once in CI.
  { name: 'tutorial: --dryrun', args: ['--dryrun', 'echo', '{}', ':::', 'A', 'B', 'C'], unordered: true },
  { name: 'tutorial: --verbose (the command on stderr)', args: ['-k', '--verbose', 'echo', '{}', ':::', 'A'], stderr: true },
  { name: 'parallel(1): -t', args: ['-t', 'echo', ':::', 'A'], stderr: true },
  {
    name: 'tutorial: grouped output (times far apart: the order is by finish)', args: ['-j2', LINE_DEMO, ':::', '2', '0.9', '0.2'],
    shell: true,
  },
  // The two first jobs start together: each waits 0.{#} s before its first line, so that which
  // prints first is decided by the example, not by which process the machine runs first.
  { name: 'tutorial: --linebuffer', args: ['-j2', '--linebuffer', `sleep 0.{#}; ${LINE_DEMO}`, ':::', '2', '0.9', '0.2'], shell: true },
  { name: 'tutorial: --line-buffer, -j1', args: ['-j1', '--line-buffer', '--tag', LINE_DEMO, ':::', '0.1', '0.2'], shell: true },
  { name: 'tutorial: -k', args: ['-j2', '-k', LINE_DEMO, ':::', '0.6', '0.3', '0.1'], shell: true },
  { name: 'tutorial: --ungroup, -j1', args: ['-j1', '--ungroup', LINE_DEMO, ':::', '0.1', '0.2'], shell: true },
  { name: 'binary output through -k: all 256 byte values', args: ['-k', 'printf', ':::', ...octal] },
  { name: 'binary output, default grouping, -j1', args: ['-j1', 'printf', ':::', ...octal] },
  { name: 'binary output with --tag', args: ['-k', '--tag', 'printf', '%s\\377\\n\\001', ':::', 'a', 'b'] },
  // --results
  { name: 'tutorial: --results outdir', args: ['--results', 'outdir', 'echo', ':::', 'A', 'B', 'C'], files: true },
  {
    name: 'tutorial: --header : --results outdir',
    args: ['--header', ':', '--results', 'outdir', 'echo', ':::', 'f1', 'A', 'B', ':::', 'f2', 'C', 'D'], files: true,
  },
  { name: '--results: / and \\ in arguments', args: ['--results', 'out', 'printf', '%s', ':::', 'a/b', 'c\\d'], files: true },
  {
    name: '--results x.csv', args: ['-j1', '--results', 'r.csv', 'printf', '%s', ':::', 'a', 'b,"c"', 'two words', 'é'],
    table: { file: 'r.csv', skip: [2, 3, 8] },
  },
  {
    name: '--results x.json', args: ['-j1', '--results', 'r.json', 'printf', '%s\\t\\\\', ':::', 'a"b', 'é/'],
    table: { file: 'r.json', skip: [2, 3, 8] },
  },
]

t.test('the manuals\' examples through forkpool and GNU parallel: stdout, exit status, stderr and files where they matter',
  (t) => compareExamples(t, EXAMPLES))
