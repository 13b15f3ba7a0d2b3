// forkpool against GNU parallel itself (Debian's `parallel`, 20221122, which `npm test`'s
// pretest installs when it is missing and it can): the examples of parallel_tutorial(7),
// parallel_examples(7) and parallel(1) that use options forkpool has, run through both in
// folders of their own; stdout (bytes), exit status, and where it matters stderr and the files
// left behind, must be the same.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Test } from 'tap'
import { CLI } from './cli.js'

/**
 * Whether GNU parallel is here to compare with. When it is not, the test fails at once saying
 * what to install: a comparison that quietly did not run would pass without showing anything.
 */
export function gnuParallelHere(t: Test): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v parallel'], { stdio: 'ignore' })
    return true
  } catch {
    t.fail('GNU parallel is not installed: install it (Debian: apt-get install parallel) to compare with it')
    return false
  }
}

interface Run {
  code: number | null
  stdout: Buffer
  stderr: string
}

export function run(program: string, args: string[], cwd: string, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.stdin.end(input ?? '')
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }))
  })
}

/** The files of the tutorial's examples (parallel_tutorial(7), "Input sources" and on). */
export const TUTORIAL_FILES: Record<string, string> = {
  'abc-file': 'A\nB\nC\n',
  'def-file': 'D\nE\nF\n',
  'abc0-file': 'A\0B\0C\0',
  'abc_-file': 'A_B_C_',
  'tsv-file.tsv': 'f1\tf2\nA\tB\nC\tD\n',
  num8: '1\n2\n3\n4\n5\n6\n7\n8\n',
}

/** Every file under `dir` with its content, the tutorial's own files left out. */
function leftBehind(dir: string, under = '', sorted = false): Record<string, string> {
  const found: Record<string, string> = {}
  for (const name of readdirSync(path.join(dir, under)).sort()) {
    const rel = path.join(under, name)
    if (under === '' && name in TUTORIAL_FILES) continue
    if (statSync(path.join(dir, rel)).isDirectory()) Object.assign(found, leftBehind(dir, rel, sorted))
    else {
      const text = readFileSync(path.join(dir, rel), 'latin1')
      found[rel] = sorted ? text.split('\n').sort().join('\n') : text
    }
  }
  return found
}

export const octal = Array.from({ length: 256 }, (_, i) => `\\${i.toString(8).padStart(3, '0')}`)
export const LINE_DEMO = 'printf "%s-start\\n%s" {} {}; sleep {}; printf "%s\\n" -middle; echo {}-end'

export interface Example {
  name: string
  args: string[]
  /** The command needs a shell: GNU as it is, forkpool with --shell. Otherwise GNU gets --quote, which is forkpool's no-shell. */
  shell?: boolean
  input?: string
  /** Compare stderr too. */
  stderr?: boolean
  /**
   * Without -k GNU parallel prints each job's output as the job ends, so where every job prints
   * one line the order is not the example's to say: compare stdout's lines in any order.
   */
  unordered?: boolean
  /** Compare the files left behind ('sorted': each file's lines in any order, for files jobs append to concurrently). */
  files?: boolean | 'sorted'
  /** CSV/JSON tables: these columns (from 0) vary from run to run (times, the command as each quotes it). */
  table?: { file: string; skip: number[] }
}

/** A table's rows with the varying columns blanked (CSV: by comma outside quotes; JSON: by key). */
function stableTable(text: string, file: string, skip: number[]): unknown {
  if (file.endsWith('.json')) {
    return text.trim().split('\n').map((line) => {
      const row = JSON.parse(Buffer.from(line, 'latin1').toString('utf8')) as Record<string, unknown>
      for (const key of ['Starttime', 'JobRuntime', 'Command']) delete row[key]
      return row
    })
  }
  const rows = text.match(/(?:"(?:[^"]|"")*"|[^,\n])*(?:,|\n)/g) ?? []
  const fields: string[][] = [[]]
  for (const cell of rows) {
    fields.at(-1)!.push(cell.slice(0, -1))
    if (cell.endsWith('\n')) fields.push([])
  }
  return fields.filter((row) => row.length > 0).map((row) => row.map((cell, i) => (skip.includes(i) ? '' : cell)))
}

/** Runs each example through both programs, in folders of their own, and compares what the example says. */
export async function compareExamples(t: Test, examples: readonly Example[]): Promise<void> {
  if (!gnuParallelHere(t)) return
  const root = t.testdir()
  for (const [i, example] of examples.entries()) {
    const dirs = [`${root}/${i}-ours`, `${root}/${i}-theirs`]
    for (const dir of dirs) {
      mkdirSync(dir)
      for (const [name, content] of Object.entries(TUTORIAL_FILES)) writeFileSync(path.join(dir, name), content)
    }
    const [ours, theirs] = await Promise.all([
      run(process.execPath, [CLI, ...(example.shell ? ['--shell'] : []), ...example.args], dirs[0]!, example.input),
      run('parallel', ['--will-cite', ...(example.shell ? [] : ['--quote']), ...example.args], dirs[1]!, example.input),
    ])
    const stdout = (r: Run): Buffer | string[] => (example.unordered ? r.stdout.toString('latin1').split('\n').sort() : r.stdout)
    t.same(stdout(ours), stdout(theirs), `${example.name}: stdout${example.unordered ? ' (its lines in any order)' : ''}`)
    t.equal(ours.code, theirs.code, `${example.name}: exit status`)
    if (example.stderr) t.equal(ours.stderr, theirs.stderr, `${example.name}: stderr`)
    if (example.files) {
      const [a, b] = dirs.map((dir) => leftBehind(dir, '', example.files === 'sorted'))
      t.same(a, b, `${example.name}: files left behind`)
    }
    if (example.table) {
      const [a,
        b] = dirs.map((dir) => stableTable(readFileSync(path.join(dir, example.table!.file), 'latin1'), example.table!.file,
        example.table!.skip))
      t.same(a, b, `${example.name}: the table`)
    }
  }
}
