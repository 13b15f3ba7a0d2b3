import t from 'tap'
import { chmodSync } from 'node:fs'
import { startCommand as startOn } from '../../dist/lib/runners/command.js'
import { normalizeJob, type CommandSpec } from '../../dist/lib/runners/spec.js'
import { SpawnerSet } from '../../dist/lib/runners/spawner/spawners.js'
import { processesMatching } from '../helpers/paths.js'
import { eventually, sleep } from '../helpers/wait.js'

const spec = (job: object) => normalizeJob(job) as CommandSpec

// Room for a loaded machine: these tests wait on real processes.
t.setTimeout(120_000)

// Every case runs on each way a command can start (lib/runners/command.ts says why each is there),
// which must give the same outcome: through this process's spawners (the default: the native
// forker, built with the package), through Node spawner processes (where no forker could be
// built), and spawned from this process (spawner: false). A start is awaited as the manager
// awaits it: the Execution, then its `started` where it has one.
const nodeSpawners = new SpawnerSet({ forker: false })
for (
  const [path, spawners] of [['through the native forker', undefined], ['through a Node spawner', nodeSpawners], ['direct', null]] as const
) {
  t.test(path, async (t) => {
    const startCommand = async (s: CommandSpec) => {
      const execution = startOn(s, spawners)
      await execution.started
      return execution
    }

    t.test('a bare command runs without a shell and reports its exit code', async (t) => {
      const run = await startCommand(spec({ command: 'sh', args: ['-c', 'exit 7'] }))
      t.equal(run.kind, 'command')
      t.type(run.pid, 'number')
      t.same(await run.outcome, { exitCode: 7, signal: null, error: null })
    })

    t.test('a death by a signal with two names has the name Node gives it (SIGABRT, not SIGIOT)', async (t) => {
      t.same(await (await startCommand(spec({ command: 'sh', args: ['-c', 'kill -ABRT $$'] }))).outcome, {
        exitCode: null, signal: 'SIGABRT', error: null,
      })
    })

    t.test('arguments pass through untouched', async (t) => {
      const odd = `it's a "$HOME" & \`x\``
      const run = await startCommand(spec({ command: 'printf', args: ['%s', odd], capture: true }))
      t.equal((await run.outcome).details?.stdout, odd)
    })

    t.test('capture, input, env and cwd', async (t) => {
      const run = await startCommand(spec({
        command: 'sh',
        args: ['-c', 'cat; printf "%s:%s" "$FP_TEST" "$PWD"; echo oops >&2'],
        input: 'fed in|',
        env: { FP_TEST: 'set' },
        cwd: '/tmp',
        capture: true,
      }))
      const out = await run.outcome
      t.equal(out.details?.stdout, 'fed in|set:/tmp')
      t.equal(out.details?.stderr, 'oops\n')
      t.equal(out.exitCode, 0)
    })

    t.test('shell: true runs a command line', async (t) => {
      const out = await (await startCommand(spec({ command: 'echo $((6*7)) | tr 4 X', shell: true, capture: true }))).outcome
      t.equal(out.details?.stdout, 'X2\n')
    })

    t.test('input or shell without capture leaves stdout to this process', async (t) => {
      t.equal((await (await startCommand(spec({ command: 'sh', args: ['-c', 'test "$(cat)" = fed'], input: 'fed' }))).outcome).exitCode, 0)
      t.equal((await (await startCommand(spec({ command: 'exit 4', shell: true }))).outcome).exitCode, 4)
    })

    t.test('a bare command inherits env when given one', async (t) => {
      const out = await (await startCommand(spec({
        command: 'sh', args: ['-c', 'test "$FP_BARE" = yes && test -n "$PATH"'], env: { FP_BARE: 'yes' },
      }))).outcome
      t.equal(out.exitCode, 0)
    })

    t.test('a command that is not there is a result, not a throw', async (t) => {
      for (const capture of [false, true]) {
        const run = await startCommand(spec({ command: 'no-such-command-xyz', capture }))
        const out = await run.outcome
        t.equal(out.exitCode, null)
        t.equal(out.error?.code, 'ENOENT')
        t.match(out.error?.message, /command not found: no-such-command-xyz/)
      }
      const badCwd = await (await startCommand(spec({ command: 'true', cwd: '/no/such/dir' }))).outcome
      t.equal(badCwd.error?.code, 'ENOENT')
      const cwdIsAFile = await (await startCommand(spec({ command: 'true', cwd: '/etc/hostname', capture: true }))).outcome
      t.equal(cwdIsAFile.error?.code, 'ENOTDIR')
      t.match(cwdIsAFile.error?.message, /cannot run true/)
      // spawn threw before any process existed: there is nothing to stop.
      const never = await startCommand(spec({ command: 'true', cwd: '/etc/hostname', capture: true }))
      t.equal(never.pid, null)
      t.doesNotThrow(() => never.stop('SIGKILL'))
      // With input, or through a shell, the same.
      const withShell = await (await startCommand(spec({ command: 'true', cwd: '/no/such/dir', shell: true, capture: true }))).outcome
      t.equal(withShell.error?.code, 'ENOENT')
      const withInput = await (await startCommand(spec({ command: 'no-such-command-xyz', input: 'x' }))).outcome
      t.equal(withInput.error?.code, 'ENOENT')
      t.match(withInput.error?.message, /command not found: no-such-command-xyz/)
    })

    t.test('a program that may not be run, and a NUL in an argument, fail as spawn() fails them; a variable set to undefined is passed ' +
      'over', async (t) => {
      const dir = t.testdir({ 'not-executable': 'echo no\n' })
      const notAllowed = await (await startCommand(spec({ command: `${dir}/not-executable`, capture: true }))).outcome
      t.match(notAllowed.error, { code: 'EACCES', message: `cannot run ${dir}/not-executable: spawn ${dir}/not-executable EACCES` })
      const nul = await (await startCommand(spec({ command: 'echo', args: ['a', 'b\0c'], capture: true }))).outcome
      t.match(nul.error, {
        code: 'ERR_INVALID_ARG_VALUE', message: /^cannot run echo: The argument 'args\[1\]' must be a string without null bytes/,
      })
      // Without capture, input or shell, it is the error spawn() throws, as it is; no process to stop.
      const bare = await startCommand(spec({ command: 'echo', args: ['b\0c'] }))
      t.equal(bare.pid, null)
      t.doesNotThrow(() => bare.stop('SIGKILL'))
      t.match(await bare.outcome, {
        exitCode: null, signal: null, error: {
          code: 'ERR_INVALID_ARG_VALUE', message: /^The argument 'args\[0\]' must be a string without null bytes/,
        },
      })
      const withInput = await (await startCommand(spec({ command: 'echo', args: ['b\0c'], input: 'x' }))).outcome
      t.match(withInput.error, { code: 'ERR_INVALID_ARG_VALUE', message: /^cannot run echo: / })
      // spawn() passes over a variable set to undefined, a NUL in its name or not.
      const passedOver = await (await startCommand(spec({
        command: 'sh', args: ['-c', 'printf %s "$FP_KEPT"'], env: { 'FP_KEPT\0': undefined, FP_KEPT: 'kept' }, capture: true,
      }))).outcome
      t.same(passedOver, { exitCode: 0, signal: null, error: null, details: { stdout: 'kept', stderr: '' } })
    })

    t.test('an executable file with no #! line runs in /bin/sh, as execvp runs it', async (t) => {
      const dir = t.testdir({ script: 'echo "ran with $1"\n' })
      chmodSync(`${dir}/script`, 0o755)
      t.same(await (await startCommand(spec({ command: `${dir}/script`, args: ['one'], capture: true }))).outcome, {
        exitCode: 0, signal: null, error: null, details: { stdout: 'ran with one\n', stderr: '' },
      })
      // Found on PATH too.
      const onPath = await (await startCommand(spec({ command: 'script', env: { PATH: dir }, capture: true }))).outcome
      t.equal(onPath.details?.stdout, 'ran with \n')
    })

    t.test('an env entry set to undefined unsets the variable', async (t) => {
      const out = await (await startCommand(spec({
        // eslint-disable-next-line no-template-curly-in-string -- the shell's ${HOME-unset}, not a template
        command: 'sh', args: ['-c', 'printf %s "${HOME-unset}|$FP_SET"'], env: { HOME: undefined, FP_SET: 'set' }, capture: true,
      }))).outcome
      t.equal(out.details?.stdout, 'unset|set')
    })

    t.test('output a grandchild writes after the command exits is still captured, and the result waits for it', async (t) => {
      const out = await (await startCommand(spec({
        command: 'sh', args: ['-c', '(sleep 0.3; echo late; echo late-err >&2) & echo ' +
        'early'], capture: true
      }))).outcome
      t.same(out, { exitCode: 0, signal: null, error: null, details: { stdout: 'early\nlate\n', stderr: 'late-err\n' } })
    })

    t.test('output past the buffer limit fails the job with a clear error', async (t) => {
      const out = await (await startCommand(spec({
        command: 'head', args: ['-c', '3000000', '/dev/zero'], capture: true, maxBuffer: 1_000_000,
      }))).outcome
      t.equal(out.error?.name, 'MaxBufferError')
      t.match(out.error?.message, /head wrote more than maxBuffer \(1000000 bytes\)/)
      t.equal(out.details?.stdout?.length, 1_000_000)
      // The default limit keeps a runaway job from exhausting this process (execa's own 100 MB default crashed V8 here).
      const big = await (await startCommand(spec({ command: 'head', args: ['-c', '40000000', '/dev/zero'], capture: true }))).outcome
      t.equal(big.error?.name, 'MaxBufferError')
      t.equal(big.details?.stdout?.length, 32 * 1024 * 1024)
      // The limit holds for stderr too, each stream on its own.
      const noisy = await (await startCommand(spec({
        command: 'sh', args: ['-c', 'echo fine; head -c 5000 /dev/zero >&2'], capture: true, maxBuffer: 1000,
      }))).outcome
      t.equal(noisy.error?.name, 'MaxBufferError')
      t.equal(noisy.details?.stdout, 'fine\n')
      t.equal(noisy.details?.stderr?.length, 1000)
      // Through a shell the limit means the same.
      const viaShell = await (await startCommand(spec({
        command: 'head -c 5000 /dev/zero', shell: true, capture: true, maxBuffer: 1000,
      }))).outcome
      t.equal(viaShell.error?.name, 'MaxBufferError')
      t.equal(viaShell.details?.stdout?.length, 1000)
    })

    t.test('stop() kills the whole process group, grandchildren too', async (t) => {
      for (const capture of [false, true]) {
        const marker = `sleep 97.${capture ? 1 : 2}3`
        const run = await startCommand(spec({ command: 'sh', args: ['-c', `${marker} & ${marker}; wait`], capture }))
        // pgrep -f also matches the sh whose command line holds the marker: sh and two sleeps.
        t.ok(await eventually(async () => (await processesMatching(marker)).length === 3, 15_000), 'sh and both sleeps are running')
        run.stop('SIGTERM')
        const out = await run.outcome
        t.equal(out.signal, 'SIGTERM')
        t.ok(await eventually(async () => (await processesMatching(marker)).length === 0, 5000), 'no process is left')
        run.stop('SIGKILL')
      }
    })

    t.test('stop() ends a shell job by the signal, with no exit code', async (t) => {
      const run = await startCommand(spec({ command: 'sleep 91.37', shell: true, capture: true }))
      t.ok(await eventually(async () => (await processesMatching('sleep 91.37')).length > 0))
      run.stop('SIGTERM')
      const out = await run.outcome
      t.equal(out.exitCode, null)
      t.equal(out.signal, 'SIGTERM')
    })

    t.test('stop() after the group ignored TERM: KILL still reaches it', async (t) => {
      const marker = 'sleep 96.11'
      const run = await startCommand(spec({ command: 'sh', args: ['-c', `trap "" TERM; ${marker}`] }))
      // sh and its sleep, which inherits the ignored TERM.
      t.ok(await eventually(async () => (await processesMatching(marker)).length === 2, 15_000))
      run.stop('SIGTERM')
      // A window in which the TERM, were it heard, would end them.
      await sleep(100)
      t.equal((await processesMatching(marker)).length, 2, 'TERM was ignored')
      run.stop('SIGKILL')
      t.equal((await run.outcome).signal, 'SIGKILL')
      t.ok(await eventually(async () => (await processesMatching(marker)).length === 0))
    })
  })
}
