// The manuals' examples (input sources, replacement strings, several arguments per line, quoting) through forkpool and GNU parallel side by
// side,
// where GNU parallel is installed (.ci/run installs Debian's 20221122); see test/helpers/gnu-parallel.ts.
import t from 'tap'
import { compareExamples, TUTORIAL_FILES, type Example } from '../helpers/gnu-parallel.js'

const SEQ_20 = Array.from({ length: 20 }, (_, i) => `${i + 1}\n`).join('')

const EXAMPLES: Example[] = [
  // Input sources.
  { name: 'tutorial: ::: one source', args: ['-k', 'echo', ':::', 'A', 'B', 'C'] },
  { name: 'tutorial: -a abc-file', args: ['-k', '-a', 'abc-file', 'echo'] },
  { name: 'tutorial: two ::: sources, every combination', args: ['-k', 'echo', ':::', 'A', 'B', 'C', ':::', 'D', 'E', 'F'] },
  { name: 'tutorial: -a twice', args: ['-k', '-a', 'abc-file', '-a', 'def-file', 'echo'] },
  { name: 'tutorial: -a - and a file', args: ['-k', '-a', '-', '-a', 'def-file', 'echo'], input: 'A\nB\nC\n' },
  { name: 'tutorial: ::: and ::::', args: ['-k', 'echo', ':::', 'A', 'B', 'C', '::::', 'def-file'] },
  { name: 'tutorial: --link', args: ['-k', '--link', 'echo', ':::', 'A', 'B', 'C', ':::', 'D', 'E', 'F'] },
  { name: 'tutorial: --link, the short source wraps', args: ['-k', '--link', 'echo', ':::', 'A', 'B', 'C', 'D', 'E', ':::', 'F', 'G'] },
  {
    name: 'tutorial: :::: abc-file :::+ G H I :::: def-file',
    args: ['-k', 'echo', '::::', 'abc-file', ':::+', 'G', 'H', 'I', '::::', 'def-file'],
  },
  { name: 'tutorial: ::::+ links a file', args: ['-k', 'echo', '::::', 'abc-file', ':::', 'G', 'H', 'I', '::::+', 'def-file'] },
  { name: 'tutorial: :::+ too short', args: ['-k', 'echo', ':::', 'A', 'B', 'C', 'D', 'E', ':::+', 'F', 'G'] },
  { name: 'tutorial: :::: two files', args: ['-k', 'echo', '::::', 'abc-file', 'def-file'] },
  { name: 'tutorial: -d _', args: ['-k', '-d', '_', 'echo', '::::', 'abc_-file'] },
  { name: "tutorial: -d '\\0'", args: ['-k', '-d', '\\0', 'echo', '::::', 'abc0-file'] },
  { name: 'tutorial: -0', args: ['-k', '-0', 'echo', '::::', 'abc0-file'] },
  { name: 'parallel(1): -r skips empty lines', args: ['-k', '-r', 'echo', 'x{}x'], input: 'a\n\n  \nb\n' },
  // Replacement strings.
  { name: 'tutorial: {} {.} {/} {//} {/.}', args: ['-k', 'echo', '{}', '{.}', '{/}', '{//}', '{/.}', ':::', 'A/B.C'] },
  { name: 'tutorial: {#}', args: ['-k', 'echo', '{#}', ':::', 'A', 'B', 'C'] },
  { name: 'tutorial: -j 2 {%}', args: ['-j', '2', '-k', 'echo', '{%}', ':::', 'A'] },
  { name: 'tutorial: -I ,,', args: ['-k', '-I', ',,', 'echo', ',,', ':::', 'A/B.C'] },
  { name: 'tutorial: {1} and {2}', args: ['-k', 'echo', '{1}', 'and', '{2}', ':::', 'A', 'B', ':::', 'C', 'D'] },
  { name: 'tutorial: {1/} {1//} {1/.} {1.}', args: ['-k', 'echo', '/={1/}', '//={1//}', '/.={1/.}', '.={1.}', ':::', 'A/B.C', 'D/E.F'] },
  {
    name: 'tutorial: negative positions',
    args: ['-k', 'echo', '1={1}', '2={2}', '3={3}', '-1={-1}', '-2={-2}', '-3={-3}', ':::', 'A', 'B', ':::', 'C', 'D', ':::', 'E', 'F'],
  },
  {
    name: "parallel(1): --colsep '\\t' trims the columns (GNU's --trim lr is the default with --colsep)",
    args: ['-k', '-a', '-', '--colsep', '\t', 'echo', '-o', '{2}', '-i', '{1}'], input: 'baz \t quux\nfoo\tbar\n',
  },
  {
    name: '--colsep on ::: words, white space around each column trimmed',
    args: ['-k', '--colsep', ',', 'echo', '[{1}][{2}][{3}]', ':::', ' a , b\t, '],
  },
  {
    name: '--colsep with --trim n keeps the white space',
    args: ['-k', '--colsep', ',', '--trim', 'n', 'echo', '[{1}][{2}]', ':::', ' a , b '],
  },
  { name: '--colsep with --trim l', args: ['-k', '--colsep', ',', '--trim', 'l', 'echo', '[{1}][{2}]', ':::', ' a , b '] },
  { name: '--trim rl without --colsep', args: ['-k', '--trim', 'rl', 'echo', '[{}]', ':::', ' a b ', 'c '] },
  { name: 'without --colsep nothing is trimmed', args: ['-k', 'echo', '[{}]'], input: ' a b \n' },
  { name: '--trim with a bad value', args: ['-k', '--trim', 'x', 'echo', ':::', 'a'] },
  { name: "tutorial: --colsep '\\t'", args: ['-k', '--colsep', '\t', 'echo', '1={1}', '2={2}', '::::', 'tsv-file.tsv'] },
  {
    name: 'tutorial: --header :', args: ['-k', '--header', ':', 'echo', 'f1={f1}', 'f2={f2}', ':::', 'f1', 'A', 'B', ':::', 'f2', 'C', 'D'],
  },
  {
    name: 'tutorial: --header : --colsep',
    args: ['-k', '--header', ':', '--colsep', '\t', 'echo', 'f1={f1}', 'f2={f2}', '::::', 'tsv-file.tsv'],
  },
  // More than one argument per command line.
  { name: 'tutorial: --jobs 4 -m', args: ['--jobs', '4', '-k', '-m', 'echo', ':::', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'] },
  { name: 'tutorial: -m pre-{}-post', args: ['--jobs', '4', '-k', '-m', 'echo', 'pre-{}-post', ':::', 'A', 'B', 'C', 'D', 'E', 'F', 'G'] },
  { name: 'tutorial: -X pre-{}-post', args: ['--jobs', '4', '-k', '-X', 'echo', 'pre-{}-post', ':::', 'A', 'B', 'C', 'D', 'E', 'F', 'G'] },
  { name: 'tutorial: -N3', args: ['-k', '-N3', 'echo', ':::', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] },
  {
    name: 'tutorial: -N3 {1} {2} {3}',
    args: ['-k', '-N3', 'echo', '1={1}', '2={2}', '3={3}', ':::', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'],
  },
  { name: 'tutorial: -N0', args: ['-k', '-N0', 'echo', 'foo', ':::', '1', '2', '3'] },
  { name: 'parallel(1): -n 2 with {2} {1}', args: ['-k', '-n', '2', 'echo', '{2}', '{1}', ':::', '1', '2', '3', '4', '5'] },
  { name: 'parallel(1): -n0 reads one argument per job and inserts none', args: ['-k', '-n0', 'echo', 'x'], input: '1\n2\n3\n' },
  {
    name: 'parallel(1): -n0 with ::: sources, {} and {1} stand for nothing',
    args: ['-k', '-n0', 'echo', 'x', '{}', '{1}', 'y', '{#}', ':::', 'a', 'b', ':::', 'c', 'd'],
  },
  {
    name: '-N0: a word that is one replacement string is left out, others stand for nothing',
    args: ['-k', '-N0', 'printf', '[%s]', 'x', '{}', 'a{}b', '{1}{2}', '{#}', '{1}', ':::', '1', '2'],
  },
  { name: 'parallel(1): -N0 {1} stands for nothing', args: ['-k', '-N0', 'echo', 'x', '{1}', 'y'], input: '1\n2\n3\n' },
  { name: 'parallel(1): -n0 --tag, the tag is empty', args: ['-k', '-n0', '--tag', 'echo', 'x'], input: '1\n2\n' },
  {
    name: 'parallel_examples(7): find | sort | parallel -k -j150% -n 1000 -m grep -H -n STRING {}',
    args: ['-k', '-j150%', '-n', '1000', '-m', 'grep', '-H', '-n', 'C',
      '{}'], input: Object.keys(TUTORIAL_FILES).sort().join('\n') + '\n',
  },
  {
    name: '-n with -m: at most N per line, the last lines spread over the slots', args: ['-k', '-j', '3', '-n', '5', '-m', 'echo'],
    input: SEQ_20,
  },
  {
    name: '-n with -m: a full last line is spread too', args: ['-k', '-j', '2', '-n', '8', '-m', 'echo'],
    input: SEQ_20.split('\n').slice(0, 16).join('\n') + '\n',
  },
  {
    name: '-n with -m: one argument left is not spread',
    args: ['-k', '-j', '4', '-n', '3', '-m', 'echo', ':::', '1', '2', '3', '4', '5', '6', '7'],
  },
  {
    name: '-N with -X: {} repeated, {1} the first of the line', args: ['-k', '-j', '3', '-N', '8', '-X', 'echo', 'a{}b', '{1}'],
    input: SEQ_20,
  },
  { name: '-n with -m, more than every argument', args: ['-k', '-j', '2', '-n', '100', '-m', 'echo', ':::', '1', '2', '3', '4', '5'] },
  // Quoting.
  { name: "tutorial: -q perl -e 'print \"@ARGV\\n\"'", args: ['-k', 'perl', '-e', 'print "@ARGV\\n"', ':::', 'This', 'works'] },
  {
    name: 'parallel(1) QUOTING: words reach the program untouched',
    args: ['-k', 'printf', '[%s]\\n', ':::', 'two words', "it's", '$HOME', '"q"', '*'],
  },
]

t.test('the manuals\' examples through forkpool and GNU parallel: stdout, exit status, stderr and files where they matter',
  (t) => compareExamples(t, EXAMPLES))
