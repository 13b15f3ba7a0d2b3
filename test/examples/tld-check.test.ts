// examples/tld-check.ts, briefly: 12 TLDs, answers after 20 ms, every way, and the names found.
import t from 'tap'
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const script = fileURLToPath(new URL('../../dist/examples/tld-check.js', import.meta.url))
const tlds = (createRequire(import.meta.url)('tlds') as string[]).slice(0, 12)

t.test('looks NAME up in each TLD four ways, and finds the ones the server knows', async (t) => {
  const found = [tlds[2]!, tlds[9]!]
  const { stdout } = await promisify(execFile)(process.execPath,
    [script, 'forkpool', '--limit', '12', '--delay', '20', '--found', found.join(',')])
  const lines = stdout.trim().split('\n')
  t.equal(lines[0], 'forkpool: 12 TLDs, each answer after 20 ms')
  t.equal(lines[1], '  one at a time it would take 0.2 seconds')
  const names = found.map((tld) => `forkpool.${tld}`).sort().join(' ')
  t.same(lines.slice(2).map((line) => line.replace(/in [\d.]+ seconds/, 'in S seconds')), ['process', 'threads', 'pool', 'map'].map(
    (way) => `${way}: 12 domains looked up in S seconds; found: ${names}`
  ))
})

t.test('a bad way or delay is refused by name', async (t) => {
  await t.rejects(promisify(execFile)(process.execPath, [script, 'x', '--ways', 'coro']), {
    stderr: /--ways: "coro" is not one of process, threads, pool, map/,
  })
  await t.rejects(promisify(execFile)(process.execPath, [script, 'x', '--delay', 'soon']), {
    stderr: /--delay must be a number of ms, got "soon"/,
  })
  await t.rejects(promisify(execFile)(process.execPath, [script]), { code: 2, stderr: /usage: tld-check NAME/ })
})
