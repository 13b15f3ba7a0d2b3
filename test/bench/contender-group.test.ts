// A contender runs in a process group of its own, which the harness kills whole: what a contender
// started (a remote suite's redis-server and agents) does not outlive it, whether it was killed for
// its time or crashed.

import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { BASELINE, runContender } from '../../dist/bench/harness.js'
import { suite as cli } from '../../dist/bench/suites/cli.js'
import { eventually } from '../helpers/wait.js'

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A stand-in for an older build (the baseline's run-one.js): it starts a `sleep`, writes its pid, then `ending`. */
function fakeBuild(t: Test, ending: string): { dir: string; pidFile: string } {
  const dir = t.testdir({
    dist: {
      bench: {
        'run-one.js': `import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
const child = spawn('sleep', ['60'], { stdio: 'ignore' })
writeFileSync(new URL('./sleep.pid', import.meta.url), String(child.pid))
${ending}
`,
      },
    },
  })
  return { dir, pidFile: path.join(dir, 'dist/bench/sleep.pid') }
}

t.test('a contender killed for its time takes what it started with it', async (t) => {
  const { dir, pidFile } = fakeBuild(t, 'setInterval(() => {}, 1000)')
  await t.rejects(runContender(cli, BASELINE, true, 1500, dir), /cli\/forkpool@base was killed after 1500 ms/)
  const pid = Number(readFileSync(pidFile, 'utf8'))
  t.ok(await eventually(() => !alive(pid), 3000), `its sleep (pid ${pid}) is gone`)
})

t.test('so does a contender that crashed', async (t) => {
  const { dir, pidFile } = fakeBuild(t, 'process.exit(3)')
  await t.rejects(runContender(cli, BASELINE, true, 30_000, dir), /cli\/forkpool@base exited with code 3/)
  const pid = Number(readFileSync(pidFile, 'utf8'))
  t.ok(await eventually(() => !alive(pid), 3000), `its sleep (pid ${pid}) is gone`)
})
