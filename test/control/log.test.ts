// Job log lines (lib/control/log.ts): started / finished / failed, to a pino-style logger or NODE_DEBUG=forkpool.
import t from 'tap'
import { execFile } from 'node:child_process'
import { ForkManager } from '../../dist/lib/index.js'
import { assertLogger, debugLogger, defaultLogger, failureReason } from '../../dist/lib/control/log.js'
import { manager } from '../helpers/manager.js'
import { worker } from '../helpers/paths.js'

type Line = { level: string; fields: Record<string, unknown>; message: string }

function recorder() {
  const lines: Line[] = []
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message })
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } }
}

t.test('each job logs started and finished lines with ident, name and label; failures go to warn', async (t) => {
  const { lines, logger } = recorder()
  const pm = manager(t, { maxProcs: 1, logger })
  const ok = await pm.start('ok', { command: 'true' }, { name: 'n', label: 'the label' })
  await ok.result
  await (await pm.start('bad', { command: 'sh', args: ['-c', 'exit 4'] })).result
  await (await pm.start('slow', { command: 'sleep', args: ['5'] }, { timeout: 50 })).result
  await (await pm.start('threw', { worker: worker('faults'), data: { mode: 'throw' } })).result
  await (await pm.start('killed', { worker: worker('faults'), data: { mode: 'kill', signal: 'SIGKILL' } })).result
  await (await pm.start('skipped', { command: 'true' }, { signal: AbortSignal.abort('no need') })).result
  const summary = lines.map((l) => `${l.level} ${l.message} ${String(l.fields.ident)}`)
  t.same(summary, [
    'info job started ok', 'info job finished ok',
    'info job started bad', 'warn job failed bad',
    'info job started slow', 'warn job failed slow',
    'info job started threw', 'warn job failed threw',
    'info job started killed', 'warn job failed killed',
    'info job cancelled skipped',
  ])
  t.match(lines[0]!.fields, { ident: 'ok', name: 'n', label: 'the label', pid: ok.pid, kind: 'command' })
  t.match(lines[1]!.fields, { ident: 'ok', name: 'n', label: 'the label', exitCode: 0 })
  t.type(lines[1]!.fields.durationMs, 'number')
  t.notOk('name' in lines[2]!.fields, 'no name, no name field')
  t.match(lines[3]!.fields, { exitCode: 4, reason: 'exit code 4' })
  t.match(lines[5]!.fields, { reason: 'timed out' })
  t.match(lines[7]!.fields, { reason: /^RangeError: asked to throw/ })
  t.match(lines[9]!.fields, { reason: 'killed by SIGKILL', signal: 'SIGKILL' })
  t.match(lines[10]!.fields, { reason: 'no need' })
})

t.test('a logger that throws is a process warning; the jobs go on', async (t) => {
  const warnings: Error[] = []
  const onWarning = (w: Error) => warnings.push(w)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  const broken = () => { throw new Error('log sink down') }
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a logger that throws a non-Error is one of the cases
  const pm = manager(t, { maxProcs: 1, logger: { debug: broken, info: broken, warn: () => { throw 'bare' }, error: broken } })
  t.equal((await (await pm.start('x', { command: 'true' })).result).exitCode, 0)
  t.equal((await (await pm.start('y', { command: 'false' })).result).exitCode, 1)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(warnings.map((w) => [w.name, w.message]),
    [['ForkpoolLoggerWarning', 'log sink down'], ['ForkpoolLoggerWarning', 'log sink down'], ['ForkpoolLoggerWarning', 'log sink down'],
      ['ForkpoolLoggerWarning', 'bare']].map(([, m]) => ['Error', m]))
})

t.test('a logger needs all four methods', async (t) => {
  t.doesNotThrow(() => assertLogger(console))
  t.throws(() => new ForkManager({ logger: { info: () => {} } as never }), {
    name: 'TypeError',
    message: 'logger must have debug, info, warn and error methods (like pino or console), got an object without debug, warn, error',
  })
  t.throws(() => assertLogger(null), { message: 'logger must have debug, info, warn and error methods (like pino or console), got null' })
})

t.test('the default logger writes "message key=value" lines to debuglog, and nothing when it is off', async (t) => {
  const written: string[] = []
  const on = Object.assign((line: string) => written.push(line), { enabled: true })
  debugLogger(on).info({ ident: 'a b', exitCode: 0, pid: null }, 'job finished')
  debugLogger(on).warn({ ident: 'c' }, 'job failed')
  t.same(written, ['job finished ident="a b" exitCode=0 pid=null', 'job failed ident="c"'])
  const off = Object.assign((line: string) => written.push(line), { enabled: false })
  debugLogger(off).error({ ident: 'd' }, 'never')
  t.equal(written.length, 2)
  t.equal(failureReason({ timedOut: false, error: null, signal: null, exitCode: 2 } as never), 'exit code 2')
})

t.test('without NODE_DEBUG=forkpool the manager has no default logger, so no line is even built', async (t) => {
  const written: string[] = []
  const on = Object.assign((line: string) => written.push(line), { enabled: true })
  defaultLogger(on)!.info({ ident: 'e' }, 'job started')
  t.same(written, ['job started ident="e"'])
  t.equal(defaultLogger(Object.assign(() => {}, { enabled: false })), undefined)
})

t.test('NODE_DEBUG=forkpool shows the lines on stderr', async (t) => {
  const script = `
    import { ForkManager } from ${JSON.stringify(new URL('../../dist/lib/index.js', import.meta.url).href)}
    const pm = new ForkManager({ maxProcs: 1 })
    await (await pm.start('debugged', { command: 'true' }, { name: 'dbg', label: 'seen' })).result
    await (await pm.start('broken', { command: 'false' })).result`
  const stderr = await new Promise<string>((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, NODE_DEBUG: 'forkpool' },
    }, (_e, _out, err) => resolve(err))
  })
  t.match(stderr, /FORKPOOL \d+: job started ident="debugged" name="dbg" label="seen" attempt=1 pid=\d+ kind="command"/)
  t.match(stderr, /FORKPOOL \d+: job finished ident="debugged" name="dbg" label="seen" attempt=1 pid=\d+ exitCode=0 durationMs=\d+/)
  t.match(stderr, /FORKPOOL \d+: job failed ident="broken" attempt=1 pid=\d+ exitCode=1 durationMs=\d+ signal=null reason="exit code 1"/)
})

t.test('a console as the logger prints each message first, then its fields', async (t) => {
  const { Console } = await import('node:console')
  const { PassThrough } = await import('node:stream')
  const out = new PassThrough()
  let text = ''
  out.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const pm = manager(t, { maxProcs: 1, logger: new Console({ stdout: out, stderr: out }) })
  await (await pm.start('hello', { command: 'true' })).result
  await (await pm.start('oops', { command: 'false' })).result
  await new Promise((resolve) => setImmediate(resolve))
  const lines = text.split('\n').filter((line) => line.startsWith('job ') || line.startsWith('{'))
  t.match(lines,
    [/^job started \{ ident: 'hello', attempt: 1, pid: \d+, kind: 'command' \}$/, /^job finished \{ ident: 'hello', attempt: 1,/,
      /^job started \{ ident: 'oops'/, /^job failed \{/])
  t.equal(lines.length, 4, 'no line starts with the fields')
  const logged = assertLogger(console)
  t.not(logged, console, 'the global console is wrapped the same way')
  // forkpool writes only info and warn today; debug and error keep the same order.
  text = ''
  const wrapped = assertLogger(new Console({ stdout: out, stderr: out }))
  wrapped.debug({ a: 1 }, 'at debug')
  wrapped.error({ b: 2 }, 'at error')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(text, 'at debug { a: 1 }\nat error { b: 2 }\n')
})

t.test('each line says which attempt it is', async (t) => {
  const { lines, logger } = recorder()
  const pm = manager(t, { maxProcs: 1, logger })
  const r = await (await pm.start('flaky', { command: 'false' }, { retries: 2 })).result
  t.equal(r.attempts, 3)
  t.same(lines.map((l) => `${l.level} ${l.message} ${String(l.fields.attempt)}`), [
    'info job started 1', 'warn job attempt failed, retrying 1',
    'info job started 2', 'warn job attempt failed, retrying 2',
    'info job started 3', 'warn job failed 3',
  ])
  t.match(lines[1]!.fields, { ident: 'flaky', exitCode: 1, signal: null, reason: 'exit code 1' })
})
