// The forkpool command against GNU parallel and xargs: N `true` jobs at 2 at a time, the whole
// process timed, start-up included. Each contender shows it ran every job: forkpool and GNU
// parallel in their joblogs, xargs by echoing each command line (-t) before running it.

import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Suite } from '../suite.js'

const CLI = new URL('../../lib/cli/main.js', import.meta.url).pathname

function timed(command: string, args: string[], input: string): Promise<{ ms: number; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ ms: performance.now() - started, stderr, code }))
    child.stdin.end(input)
  })
}

/** Every job in the joblog, each with Exitval 0. */
function checkJoblog(file: string, jobs: number, who: string): void {
  const records = readFileSync(file, 'utf8').trim().split('\n').slice(1)
  const ok = records.filter((line) => line.split('\t')[6] === '0').length
  if (records.length !== jobs || ok !== jobs) throw new Error(`${who} logged ${records.length} jobs (${ok} succeeded), expected ${jobs}`)
}

export const suite: Suite = {
  name: 'cli',
  title: '1000 `true` jobs at -j 2 through the command, whole process (quick: 100)',
  unit: 'ms',
  better: 'lower',
  contenders: ['forkpool', 'gnu-parallel', 'xargs'],
  requires: { 'gnu-parallel': 'parallel', xargs: 'xargs' },
  async run(contender, quick) {
    const jobs = quick ? 100 : 1000
    const input = Array.from({ length: jobs }, (_, i) => `${i + 1}\n`).join('')
    const dir = mkdtempSync(path.join(tmpdir(), 'forkpool-bench-cli-'))
    const joblog = path.join(dir, 'joblog')
    try {
      if (contender === 'xargs') {
        const run = await timed('xargs', ['-t', '-P', '2', '-n', '1', 'true'], input)
        const started = run.stderr.split('\n').filter((line) => line.startsWith('true ')).length
        if (run.code !== 0 || started !== jobs) throw new Error(`xargs exited ${run.code} after ${started} of ${jobs} jobs`)
        return run.ms
      }
      const run = contender === 'forkpool'
        ? await timed(process.execPath, [CLI, '-j', '2', '--joblog', joblog, 'true'], input)
        : await timed('parallel', ['--will-cite', '-j', '2', '--joblog', joblog, 'true'], input)
      if (run.code !== 0) throw new Error(`${contender} exited ${run.code}: ${run.stderr}`)
      checkJoblog(joblog, jobs, contender)
      return run.ms
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
  targets: [
    {
      describe: 'forkpool at least 2.5x faster than GNU parallel',
      check: (medians) => medians['forkpool']! * 2.5 <= medians['gnu-parallel']!,
      uses: ['gnu-parallel'],
    },
  ],
}
