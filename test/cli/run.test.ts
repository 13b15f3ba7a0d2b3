import t from 'tap'
import { forkpool } from '../helpers/cli.js'

t.test('exit status: 0, the number of failed jobs, 101 past 100', async (t) => {
  t.equal((await forkpool(['true', ':::', '1', '2'])).code, 0)
  const some = await forkpool(['sh', '-c', 'exit $0', ':::', '0', '3', '0', '1', '2'])
  t.equal(some.code, 3)
  const many = Array.from({ length: 102 }, (_, i) => String(i))
  t.equal((await forkpool(['-j', '4', 'false', ':::', ...many])).code, 101)
})

t.test('--timeout stops a job (bare numbers are seconds) and fails it', async (t) => {
  const run = await forkpool(['-k', '--timeout', '0.3', 'sh', '-c', 'sleep $0; echo $0', ':::', '0.01', '5'])
  t.equal(run.code, 1)
  t.equal(run.stdout, '0.01\n')
  t.match(run.stderr, /forkpool: job 2 timed out and was stopped: sh -c 'sleep \$0; echo \$0' 5/)
  t.equal((await forkpool(['--timeout', '2s', 'true', ':::', '1'])).code, 0)
})

t.test('--retries N runs a failing job at most N times in all (GNU parallel\'s meaning)', async (t) => {
  const dir = t.testdir()
  // Each try appends a line; the job succeeds on its third try.
  const script = `echo x >> ${dir}/tries; test $(wc -l < ${dir}/tries) -ge 3`
  const run = await forkpool(['--retries', '3', 'sh', '-c', script, ':::', 'job'])
  t.equal(run.code, 0)
  const fails = await forkpool(['--retries', '3', 'sh', '-c', `echo $0 >> ${dir}/always; exit 4`, ':::', 'x'])
  t.equal(fails.code, 1)
  const { readFileSync } = await import('node:fs')
  t.equal(readFileSync(`${dir}/always`, 'utf8'), 'x\nx\nx\n', 'three runs in all')
  const once = await forkpool(['--retries', '1', 'sh', '-c', `echo $0 >> ${dir}/once; exit 4`, ':::', 'y'])
  t.equal(once.code, 1)
  t.equal(readFileSync(`${dir}/once`, 'utf8'), 'y\n', '--retries 1: one run')
})

t.test('--delay spaces the starts; a halt during the wait starts nothing more', async (t) => {
  const started = Date.now()
  const spaced = await forkpool(['-k', '--delay', '0.3', 'echo', ':::', 'a', 'b', 'c'])
  t.equal(spaced.stdout, 'a\nb\nc\n')
  t.ok(Date.now() - started >= 600, 'two waits of 0.3 s')
  const halted = await forkpool(['-j', '2', '--delay', '30', '--halt', 'now,fail=1', 'false', ':::', '1', '2'])
  t.equal(halted.code, 1)
  t.match(halted.stderr, /--halt reached at job 1/)
})

t.test('--dry-run prints the commands, quoted, and runs nothing', async (t) => {
  const dir = t.testdir()
  const run = await forkpool(['--dry-run', '-j', '2', 'touch', `${dir}/{#}-{%}`, ':::', 'a b', 'c'])
  t.equal(run.code, 0)
  t.equal(run.stdout, `touch ${dir}/1-1\ntouch ${dir}/2-2\n`)
  const quoted = await forkpool(['--dry-run', 'echo', ':::', "it's", 'a b'])
  t.equal(quoted.stdout, `echo 'it'\\''s'\necho 'a b'\n`)
  const { readdirSync } = await import('node:fs')
  t.same(readdirSync(dir), [], 'nothing ran')
})

t.test('-j N% of the cores and the default: every job runs', async (t) => {
  t.equal((await forkpool(['-j', '50%', '-k', 'echo', ':::', '1', '2'])).stdout, '1\n2\n')
  t.equal((await forkpool(['-k', 'echo', ':::', '1', '2'])).stdout, '1\n2\n')
})

import { existsSync, readFileSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { processesMatching } from '../helpers/paths.js'
import { eventually } from '../helpers/wait.js'
import { startCli } from '../helpers/cli.js'

t.test('Ctrl-C (SIGINT): no new jobs, running ones killed TERM then KILL, joblog written, exit 130, no child left', async (t) => {
  const log = `${t.testdir()}/log`
  const marker = 'sleep 93.21'
  // Job 1 ends at once; jobs 2 and 3 run on, job 3 ignoring TERM; jobs 4 and 5 wait for a slot.
  const script = `case $0 in 1) echo quick;; 3) trap "" TERM; ${marker};; *) ${marker};; esac`
  const { child, done } = startCli(['-j', '3', '--joblog', log, 'sh', '-c', script, ':::', '1', '2', '3', '4', '5'])
  t.ok(await eventually(async () => (await processesMatching(marker)).length >= 4, 10_000), 'jobs 2 and 3 are running (sh and sleep each)')
  // And job 1 has finished: the joblog records it (header + one line).
  t.ok(await eventually(() => existsSync(log) && readFileSync(log, 'utf8').trimEnd().split('\n').length >= 2, 10_000), 'job 1 has finished')
  child.kill('SIGINT')
  const run = await done
  t.equal(run.code, 130)
  t.equal(run.stdout, 'quick\n')
  t.same(await processesMatching(marker), [], 'no child left, the TERM-deaf one included')
  const records = readFileSync(log, 'utf8').trimEnd().split('\n').slice(1)
  t.same(records.map((r) => r.split('\t')[0]), ['1'], 'the finished job is logged; killed ones are not, so --resume runs them')
})

t.test('SIGINT while waiting for more stdin stops at once', async (t) => {
  const { child, done } = startCli(['--line-buffer', 'echo'], { input: null })
  let seen = ''
  child.stdout!.on('data', (chunk: string) => (seen += chunk))
  child.stdin!.write('a\n')
  t.ok(await eventually(() => seen === 'a\n', 10_000), 'the first job ran: the command is up and waits for the next line')
  child.kill('SIGINT')
  const run = await done
  t.equal(run.code, 130)
  t.equal(run.stdout, 'a\n')
})

t.test('SIGINT while reading every argument first (--bar) stops at once', async (t) => {
  const { child, done } = startCli(['--force-bar', 'echo'], { input: null })
  let seen = ''
  child.stderr!.on('data', (chunk: string) => (seen += chunk))
  child.stdin!.write('a\n')
  // Still reading after a second, the bar shows, with the number of jobs unknown until stdin ends.
  t.ok(await eventually(() => seen.includes('0/?'), 10_000), 'the command is up, reading stdin')
  child.kill('SIGINT')
  const run = await done
  t.equal(run.code, 130)
  t.equal(run.stdout, '', 'no job ran')
  t.equal(seen, run.stderr)
})

t.test('--status-port serves the status endpoint while the run lasts', async (t) => {
  const { child, done } = startCli(['--status-port', '0', '-j', '2', 'sleep', ':::', '1.5', '1.5'])
  const url = await new Promise<string>((resolve) => {
    let seen = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      const match = /status at (http:\/\/127\.0\.0\.1:\d+\/?)/.exec(seen)
      if (match) resolve(match[1]!)
    })
  })
  const base = url.endsWith('/') ? url : `${url}/`
  let jobs = { count: 0 }
  await eventually(async () => {
    jobs = (await (await fetch(`${base}jobs`)).json()) as { count: number }
    return jobs.count === 2
  }, 5000, 100)
  t.equal(jobs.count, 2, 'both running jobs are listed')
  t.match(await (await fetch(`${base}ps`)).text(), /sleep 1\.5/)
  const run = await done
  t.equal(run.code, 0)
  await t.rejects(fetch(`${base}jobs`), 'the endpoint closed with the run')
})

t.test('--worker with a file that is not there, or cannot load: one readable error, not a failed job per input', async (t) => {
  const missing = await forkpool(['--worker', './nope.js', ':::', '1', '2', '3'])
  t.equal(missing.code, 255)
  t.equal(missing.stdout, '')
  t.equal(missing.stderr, `forkpool: worker file "./nope.js", resolved against process.cwd() (${process.cwd()}) to ` +
    `${process.cwd()}/nope.js, ` +
      "does not exist (new URL('./worker.js', import.meta.url) names a file next to your module, wherever the program is started from)\n")
  const dir = t.testdir({ 'broken.mjs': 'export default (n) => {\n' })
  const inputs = Array.from({ length: 40 }, (_, i) => String(i))
  const broken = await forkpool(['-j', '2', '--worker', `${dir}/broken.mjs`, '--isolation', 'thread', ':::', ...inputs])
  t.equal(broken.code, 255)
  t.equal(broken.stdout, '', 'no JSON line per input')
  t.match(broken.stderr, /^forkpool: worker file .*broken\.mjs failed to load: SyntaxError: Unexpected end of input \(line 2\)\n$/)
})

/** The status endpoint's address, from the line forkpool prints on stderr; rejects if it ends without one. */
function statusUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      const match = /status at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen)
      if (match) resolve(match[1]!)
    })
    child.on('close', () => reject(new Error(`forkpool ended without serving its status: ${seen}`)))
  })
}

t.test('--status-token: cancelling a job over HTTP from the command line; the job counts as failed and says so', async (t) => {
  const dir = t.testdir()
  const { child, done } = startCli(['--status-port', '0', '--status-token', 's3cret', '-j', '2', '--joblog', `${dir}/log`, 'sleep', ':::',
    '30', '0.1'])
  const base = await statusUrl(child)
  await eventually(async () => ((await (await fetch(`${base}jobs`)).json()) as { count: number }).count === 1, 10_000, 100)
  const wrong = await fetch(`${base}jobs/1/cancel`, { method: 'POST', headers: { authorization: 'Bearer nope' } })
  t.equal(wrong.status, 401)
  t.same(await wrong.json(), {
    error: "cancelling needs this server's token (set with --status-token TOKEN or FORKPOOL_STATUS_TOKEN) in " +
      'the header Authorization: Bearer <token>'
  })
  const right = await fetch(`${base}jobs/1/cancel`, { method: 'POST', headers: { authorization: 'Bearer s3cret' } })
  t.equal(right.status, 202)
  const run = await done
  t.equal(run.code, 1, 'one job did not succeed')
  t.match(run.stderr, /forkpool: job 1 was cancelled over HTTP: sleep 30\n/)
  t.match(readFileSync(`${dir}/log`, 'utf8'), /\n1\t.*\t0\t15\tsleep 30\n/, 'logged, killed by SIGTERM')
})

t.test('FORKPOOL_STATUS_TOKEN gives the token; without one the 403 names the flag, not serveStatus()', async (t) => {
  const saved = process.env.FORKPOOL_STATUS_TOKEN
  t.teardown(() => {
    if (saved === undefined) delete process.env.FORKPOOL_STATUS_TOKEN
    else process.env.FORKPOOL_STATUS_TOKEN = saved
  })
  process.env.FORKPOOL_STATUS_TOKEN = 'from-env'
  const withEnv = startCli(['--status-port', '0', 'sleep', ':::', '30'])
  const base = await statusUrl(withEnv.child)
  await eventually(async () => ((await (await fetch(`${base}jobs`)).json()) as { count: number }).count === 1, 10_000, 100)
  t.equal((await fetch(`${base}jobs/1/cancel`, { method: 'POST', headers: { authorization: 'Bearer from-env' } })).status, 202)
  t.equal((await withEnv.done).code, 1)
  delete process.env.FORKPOOL_STATUS_TOKEN
  const off = startCli(['--status-port', '0', 'sleep', ':::', '30'])
  const offBase = await statusUrl(off.child)
  const refused = await fetch(`${offBase}jobs/1/cancel`, { method: 'POST', headers: { authorization: 'Bearer anything' } })
  t.equal(refused.status, 403)
  t.same(await refused.json(), {
    error: 'cancelling over HTTP is off: this server has no token; to turn it on, start it with ' +
      '--status-token TOKEN or FORKPOOL_STATUS_TOKEN'
  })
  off.child.kill('SIGINT')
  t.equal((await off.done).code, 130)
})
