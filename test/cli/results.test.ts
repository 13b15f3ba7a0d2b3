import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { forkpool } from '../helpers/cli.js'

t.test("--results DIR: GNU parallel's DIR/1/ARG/2/ARG/{seq,stdout,stderr}, and nothing printed", async (t) => {
  const dir = t.testdir()
  const run = await forkpool(['--results', `${dir}/out`, 'sh', '-c', 'echo out $0 $1; echo err $0 >&2; exit $0', ':::', '0', '3', ':::',
    'a/b'])
  t.equal(run.code, 1)
  t.equal(run.stdout, '', 'nothing printed')
  const read = (first: string, file: string): string => readFileSync(`${dir}/out/1/${first}/2/a\\_b/${file}`, 'utf8')
  t.equal(read('0', 'stdout'), 'out 0 a/b\n')
  t.equal(read('3', 'stderr'), 'err 3\n')
  t.equal(read('0', 'seq'), '1')
  t.equal(read('3', 'seq'), '2')
  t.same(readdirSync(`${dir}/out/1`).sort(), ['0', '3'])
})

t.test('--results with --header: the source is named by its header', async (t) => {
  const dir = t.testdir()
  await forkpool(['--header', ':', '--results', dir, 'echo', ':::', 'name', 'x\\y'])
  t.equal(readFileSync(`${dir}/name/x\\\\y/stdout`, 'utf8'), 'x\\y\n')
})

t.test('--results x.csv and x.json: one table, a row per job, output byte for byte', async (t) => {
  const dir = t.testdir()
  const csv = await forkpool(['-j', '1', '--results', `${dir}/r.csv`, 'printf', '%s\\377', ':::', 'a', 'b,"c"'])
  t.equal(csv.stdout, '')
  const lines = readFileSync(`${dir}/r.csv`, 'latin1').split('\n')
  t.equal(lines[0], 'Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,V1,Stdout,Stderr')
  t.match(lines[1], /^1,:,\d+\.\d{3},\d+\.\d{3},0,2,0,0,"printf '%s\\377' a",a,a\xff,$/)
  t.match(lines[2], /^2,:,[\d.]+,[\d.]+,0,6,0,0,"printf '%s\\377' 'b,""c""'","b,""c""","b,""c""\xff",$/)
  await forkpool(['-j', '1', '--results', `${dir}/r.json`, 'sh', '-c', 'printf "%s\\n" "$0"; exit 2', ':::', 'q"\\', ':::', 'x'])
  const json = JSON.parse(readFileSync(`${dir}/r.json`, 'utf8')) as unknown
  t.match(json, { Seq: 1, Host: ':', Send: 0, Receive: 4, Exitval: 2, Signal: 0, V: ['q"\\', 'x'], Stdout: 'q"\\\n', Stderr: '' })
})

t.test('--results that cannot be written stops the run: one line, exit 255, no child left', async (t) => {
  const marker = 'sleep 92.77'
  // A file where the directory should be; job 2 is still running when job 1 cannot be recorded.
  const run = await forkpool(['-j', '2', '--results', '/etc/hostname/results', 'sh', '-c', `test $0 = 1 || ${marker}`, ':::', '1', '2',
    '3'])
  t.equal(run.code, 255)
  t.match(run.stderr, /^forkpool: ENOTDIR: not a directory, mkdir '\/etc\/hostname\/results\/1\/1'\n$/)
  const { processesMatching } = await import('../helpers/paths.js')
  t.same(await processesMatching(marker), [], 'job 2 was stopped, job 3 never started')
})

import { csvField, jobDir, jsonString, segment } from '../../dist/lib/cli/results.js'

t.test('segment, jobDir, csvField, jsonString', async (t) => {
  t.equal(segment('a/b\\c'), 'a\\_b\\\\c')
  t.equal(jobDir('d', ['x', 'y'], new Map([[2, 'col']])), 'd/1/x/col/y')
  t.equal(csvField(Buffer.from('plain')).toString(), 'plain')
  t.equal(csvField(Buffer.from('a "b"\n')).toString(), '"a ""b""\n"')
  t.equal(jsonString(Buffer.from('a"\\\n\t')).toString(), '"a\\"\\\\\\u000a\\u0009"')
})
