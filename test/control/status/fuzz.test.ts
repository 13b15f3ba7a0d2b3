// A few hundred malformed requests over raw TCP: afterwards the server and the manager still
// answer, no job was cancelled or lost, and cancelling over HTTP still works.
import t from 'tap'
import net from 'node:net'
import type { JobResult } from '../../../dist/lib/index.js'
import { request } from '../../helpers/http.js'
import { manager } from '../../helpers/manager.js'
import { worker } from '../../helpers/paths.js'

const TOKEN = 'fuzz-token-7'

/** A small seeded PRNG, so a failing case can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
}

function malformedRequests(): Buffer[] {
  const random = prng(20_261_121)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'FOO', 'get', 'G ET', '', 'POST\0']
  const paths = [
    '/jobs/%/cancel', '/jobs/%zz/cancel', '/jobs/%E0%A4%A/cancel', '/%00', '/jobs/..', '/jobs/../../etc/passwd', '*', 'http://evil/jobs',
    '//', '/jobs//cancel', '/jobs/a/b/c/d', '/jobs/' + '%'.repeat(100), '/' + 'a'.repeat(20_000), '/jobs/' + 'x'.repeat(9000) + '/cancel',
    '/jobs/job-1/cancel', '/jobs/job-2/cancel', '/jobs/%6A%6F%62-1/cancel', '/ps?' + '&'.repeat(3000), '/stats#frag', '/\u00e9',
    '/jobs/\u{1F600}/cancel',
    '', ' ', '/jobs/%C0%AF/cancel', '/jobs/%ED%A0%80/cancel',
  ]
  const headerSets = [
    'Host: 127.0.0.1\r\n',
    '',
    'Host: 127.0.0.1\r\nHost: evil\r\n',
    `Host: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN.slice(0, -1)}\r\n`,
    'Host: 127.0.0.1\r\nAuthorization: Bearer\r\n',
    'Host: 127.0.0.1\r\nAuthorization: Basic Zm9vOmJhcg==\r\n',
    `Host: 127.0.0.1\r\nAuthorization: Bearer ${'A'.repeat(5000)}\r\n`,
    'Host: 127.0.0.1\r\nX-Long: ' + 'y'.repeat(20_000) + '\r\n',
    'Host: 127.0.0.1\r\nno colon here\r\n',
    'Host: 127.0.0.1\r\nBad\u0001Name: 1\r\n',
    'Host: 127.0.0.1\r\nContent-Length: -1\r\n',
    'Host: 127.0.0.1\r\nContent-Length: 10\r\n\r\nabc',
    'Host: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n',
    'Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n',
    'Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n',
    'Host: 127.0.0.1\r\n Folded: header\r\n',
    'Host: [::1\r\n',
    'Host: 127.0.0.1:99999999999\r\n',
  ]
  const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'HTTPS/1.1', '']
  const out: Buffer[] = []
  for (let i = 0; i < 300; i++) {
    const kind = i % 10
    if (kind === 0) {
      // Raw garbage bytes.
      out.push(Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256))))
    } else if (kind === 1) {
      // A request cut off mid-line.
      const full = `${pick(methods)} ${pick(paths)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`
      out.push(Buffer.from(full.slice(0, Math.floor(random() * full.length))))
    } else {
      const line = kind === 2 ? `${pick(methods)} ${pick(paths)}` : `${pick(methods)} ${pick(paths)} ${pick(versions)}`
      out.push(Buffer.from(`${line}\r\n${pick(headerSets)}Connection: close\r\n\r\n`, 'latin1'))
    }
  }
  return out
}

/** Sends raw bytes, then collects whatever comes back until the server closes or 3 s pass. */
function send(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let reply = ''
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(reply)
    }
    const timer = setTimeout(done, 3000)
    socket.on('connect', () => {
      socket.write(bytes)
      // Half-close so that a server waiting for more of a cut-off request sees the end.
      socket.end()
    })
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')))
    socket.on('close', done)
    socket.on('error', done)
  })
}

t.test('malformed requests crash nothing and lose no job', async (t) => {
  const pm = manager(t, { maxProcs: 4 })
  const finished: JobResult[] = []
  pm.runOnFinish((r) => finished.push(r))
  const srv = await pm.serveStatus({ token: TOKEN })
  t.teardown(() => srv.close())
  const port = Number(new URL(srv.url).port)
  const jobs = [
    await pm.start('job-1', { command: 'sleep', args: ['60'] }, { name: 'job-1' }),
    await pm.start('job-2', { worker: worker('sleep'), data: 60_000 }),
    await pm.start('job-3', { worker: worker('sleep'), data: 60_000, isolation: 'thread' }),
  ]

  const requests = malformedRequests()
  t.equal(requests.length, 300)
  const statuses = new Map<string, number>()
  let next = 0
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < requests.length) {
      const reply = await send(port, requests[next++]!)
      const status = /^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 'none'
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  }))
  t.comment(`replies by status: ${JSON.stringify(Object.fromEntries(statuses))}`)
  t.notOk(statuses.has('500'), 'no request made the server fail')
  t.notOk(statuses.has('202'), 'no malformed request cancelled a job')
  t.ok((statuses.get('400') ?? 0) > 100, 'most were refused as bad requests')

  // The server still answers, and the manager has every job, none stopped.
  const listed = JSON.parse((await request(srv.url, '/jobs')).body) as { count: number; jobs: Array<{ ident: string; state: string }> }
  t.equal(listed.count, 3)
  t.same(listed.jobs.map((j) => `${j.ident} ${j.state}`),
    ['job-1 running', 'job-2 running', 'job-3 running'])
  t.equal((await request(srv.url, '/ps')).status, 200)
  t.match(JSON.parse((await request(srv.url, '/stats')).body), { running: 3, finished: 0, cancelled: 0 })
  t.same(finished, [], 'no job ended')

  // And a well-formed cancel still works.
  const cancel = await request(srv.url, '/jobs/job-1/cancel', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(cancel.status, 202)
  t.match(await jobs[0]!.result, { cancelled: true, cancelReason: 'cancelled over HTTP' })
  pm.cancelAll('done')
  await pm.close()
  t.same(finished.map((r) => r.ident).sort(), ['job-1', 'job-2', 'job-3'])
})
