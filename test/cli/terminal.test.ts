// forkpool at a terminal: stdin, stdout and stderr on a real pseudo-terminal (test/helpers/pty.ts).
import t from 'tap'
import { forkpool } from '../helpers/cli.js'
import { forkpoolInPty, ptyHere } from '../helpers/pty.js'

// eslint-disable-next-line @stylistic/max-len -- one regular expression for the two lines of the warning
const WARNING = /forkpool: Warning: Input is read from the terminal: one argument per line, Ctrl-D to end\.\r\nforkpool: Warning: To give the arguments otherwise: ::: or :::: or -a, or pipe them into forkpool\.\r\n/

t.test('arguments read from the terminal: a warning first, as GNU parallel gives (stdin and stderr both a terminal)', async (t) => {
  if (!ptyHere(t)) return
  const session = forkpoolInPty(['echo', 'got'])
  await session.shown(/Ctrl-D to end/)
  session.type('a\n')
  await session.shown(/got a\r\n/)
  session.type('\x04')
  const run = await session.done
  t.equal(run.code, 0)
  t.match(run.output, WARNING)
  t.equal(run.output.indexOf('forkpool: Warning'), 0, 'the warning comes before anything else')
  const dash = forkpoolInPty(['echo', ':::', 'x', '::::', '-'])
  await dash.shown(/Ctrl-D to end/)
  dash.type('\x04')
  t.match((await dash.done).output, WARNING, ':::: - reads the terminal too')
})

t.test('no warning when the arguments come from elsewhere, or for --pipe', async (t) => {
  if (!ptyHere(t)) return
  const words = await forkpoolInPty(['echo', ':::', 'x']).done
  t.equal(words.output, 'x\r\n', '::: words: stdin is not read')
  const pipe = forkpoolInPty(['--pipe', 'cat'])
  // --pipe reads data, not arguments: GNU parallel gives no warning either. Typed text echoes back, then cat's copy.
  pipe.type('data\n')
  await pipe.shown(/data\r\n/)
  pipe.type('\x04')
  const piped = await pipe.done
  t.notMatch(piped.output, /Warning/)
  t.equal(piped.code, 0)
  const notATerminal = await forkpool(['echo'], { input: 'a\n' })
  t.equal(notATerminal.stderr, '', 'stdin a pipe: no warning')
})

t.test('--bar on a terminal: no "0/?" frame before the count is known, and a terminal of 0 columns gets an 80-column bar', async (t) => {
  if (!ptyHere(t)) return
  const sized = await forkpoolInPty(['--bar', '-k', 'echo', ':::', 'a', 'b'], { columns: 60 }).done
  t.equal(sized.code, 0)
  t.notMatch(sized.output, /0\/\?/)
  // eslint-disable-next-line no-control-regex -- the terminal's escape sequence is what is checked
  t.match(sized.output, /^\r\[\.+\] 0% 0\/2 ETA \?\x1b\[K/, 'the first frame knows the number of jobs')
  // eslint-disable-next-line no-control-regex -- the terminal's escape sequence is what is checked
  t.match(sized.output, /\r\[#+\] 100% 2\/2 ETA 0s\x1b\[K\r\nforkpool: 2 jobs in \d+\.\ds: 2 succeeded, 0 failed\r\n$/)
  const unsized = await forkpoolInPty(['--bar', '-k', 'echo', ':::', 'a', 'b']).done
  t.notMatch(unsized.output, /\r\[\]/, 'not the empty bar "[]"')
  t.match(unsized.output, /\r\[#{40}\] 100% 2\/2/)
})
