// The status endpoint over real HTTP on loopback: every route and every status code.
import t from 'tap'
import net from 'node:net'
import { hostname } from 'node:os'
import { ForkManager } from '../../../dist/lib/index.js'
import { serveStatus, type StatusSource } from '../../../dist/lib/control/status/server.js'
import { pathSegments } from '../../../dist/lib/control/status/route.js'
import { bearerMatches } from '../../../dist/lib/control/status/token.js'
import { request } from '../../helpers/http.js'
import { manager } from '../../helpers/manager.js'
import { processesMatching } from '../../helpers/paths.js'
import { eventually } from '../../helpers/wait.js'

const listening = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length

t.test('without serveStatus no port is opened', async (t) => {
  const before = listening()
  const pm = new ForkManager({ maxProcs: 1 })
  await (await pm.start('x', { command: 'true' })).result
  t.equal(listening(), before)
  const srv = await pm.serveStatus()
  t.equal(listening(), before + 1, 'serveStatus opens one')
  t.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'loopback by default')
  await pm.close()
  t.ok(await eventually(() => listening() === before, 1000), "the manager's close() closes it too")
  await srv.close()
  await t.rejects(pm.serveStatus(), { message: 'ForkManager is closed: serveStatus() after close() would serve nothing' })
})

t.test('every route, every status code', async (t) => {
  const pm = manager(t, { maxProcs: 3 })
  const srv = await pm.serveStatus({ port: 0, host: '127.0.0.1', token: 'sesame-42' })
  t.teardown(() => srv.close())
  const marker = 'sleep 89.51'
  const victim = await pm.start('victim', { command: 'sh', args: ['-c', `${marker} & wait`] }, { name: 'nightly-sync', label: 'db' })
  const twins = [await pm.start('twin', { command: 'sleep', args: ['5'] }), await pm.start('twin', { command: 'sleep', args: ['5'] })]
  const auth = { authorization: 'Bearer sesame-42' }

  const jobs = await request(srv.url, '/jobs')
  t.equal(jobs.status, 200)
  t.match(jobs.headers['content-type'], 'application/json')
  t.equal(jobs.headers['cache-control'], 'no-store')
  const body = JSON.parse(jobs.body) as { count: number; jobs: unknown[] }
  t.equal(body.count, 3)
  t.match(body.jobs[0], {
    ident: 'victim', name: 'nightly-sync', label: 'db', state: 'running', pid: victim.pid, isolation: 'command', host: hostname(),
  })

  const ps = await request(srv.url, '/ps')
  t.equal(ps.status, 200)
  t.match(ps.headers['content-type'], 'text/plain')
  t.match(ps.body, /^PID +STATE +ELAPSED +TIMEOUT +IDENT\/NAME +WHERE\n/, 'the ps table')
  t.equal(ps.body.trimEnd().split('\n').length, 4)
  t.match(ps.body, /victim\/nightly-sync/)

  const stats = await request(srv.url, '/stats?verbose=1')
  t.equal(stats.status, 200)
  t.match(JSON.parse(stats.body), { running: 3, queued: 0, finished: 0 })

  const page = await request(srv.url, '/')
  t.equal(page.status, 200)
  t.match(page.headers['content-type'], 'text/html')
  t.match(page.headers['content-security-policy'], /default-src 'none'; script-src 'nonce-/)
  t.match(page.body, /<title>forkpool: jobs in flight<\/title>/)
  t.notMatch(page.body, /(src|href)="(https?:)?\/\//, 'no external assets')

  const head = await request(srv.url, '/jobs', { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(head.body, '')

  // Errors.
  t.equal((await request(srv.url, '/nowhere')).status, 404)
  t.equal((await request(srv.url, '/jobs/victim')).status, 404)
  const post = await request(srv.url, '/jobs', { method: 'POST' })
  t.equal(post.status, 405)
  t.equal(post.headers.allow, 'GET, HEAD')
  const getCancel = await request(srv.url, '/jobs/victim/cancel')
  t.equal(getCancel.status, 405)
  t.equal(getCancel.headers.allow, 'POST')
  for (const bad of ['/jobs/%E0%A4%A/cancel', '/jobs//cancel', '/jobs/../ps', '/jobs/%00/cancel', '/jobs/./cancel', '/stats/']) {
    t.equal((await request(srv.url, bad, { method: 'POST' })).status, 400, `malformed: ${bad}`)
  }
  t.equal((await request(srv.url, '/jobs', { headers: { host: 'evil.example:80' } })).status, 400,
    'a foreign Host (DNS rebinding) is refused')
  t.equal((await request(srv.url, '/jobs', { headers: { host: '[::1]:1234' } })).status, 200)
  t.equal((await request(srv.url, '/jobs', { headers: { host: 'localhost' } })).status, 200)

  const noToken = await request(srv.url, '/jobs/victim/cancel', { method: 'POST' })
  t.equal(noToken.status, 401)
  t.equal(noToken.headers['www-authenticate'], 'Bearer')
  t.same(JSON.parse(noToken.body), {
    error: "cancelling needs this server's token (set with serveStatus({ token })) in the header Authorization: Bearer <token>",
  })
  for (
    const authorization of ['Bearer sesame-41', 'Bearer sesame', 'Bearer sesame-42-and-more', 'Basic c2VzYW1lLTQy', 'Bearer', 'sesame-42']
  ) {
    t.equal((await request(srv.url, '/jobs/victim/cancel', { method: 'POST', headers: { authorization } })).status, 401,
      `refused: ${authorization}`)
  }
  t.equal(pm.inFlight().length, 3, 'no refused request cancelled anything')

  t.equal((await request(srv.url, '/jobs/nobody/cancel', { method: 'POST', headers: auth })).status, 404)
  const ambiguous = await request(srv.url, '/jobs/twin/cancel', { method: 'POST', headers: auth })
  t.equal(ambiguous.status, 409)
  t.match((JSON.parse(ambiguous.body) as { error: string }).error, /2 jobs in flight have the ident "twin"/)

  const accepted = await request(srv.url, `/jobs/${encodeURIComponent('nightly-sync')}/cancel`, {
    method: 'POST', headers: { authorization: 'bearer   sesame-42' },
  })
  t.equal(accepted.status, 202)
  t.same(JSON.parse(accepted.body), { target: 'nightly-sync', cancelled: 1 })
  t.match(await victim.result, { cancelled: true, cancelReason: 'cancelled over HTTP' })
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 0), 'the job really stopped')
  pm.cancelAll()
  await Promise.all(twins.map((h) => h.result))
  await pm.close()
})

t.test('no token configured: cancelling over HTTP is off (403)', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  const srv = await pm.serveStatus()
  const h = await pm.start('job', { command: 'sleep', args: ['5'] })
  const r = await request(srv.url, '/jobs/job/cancel', { method: 'POST', headers: { authorization: 'Bearer anything' } })
  t.equal(r.status, 403)
  t.same(JSON.parse(r.body), {
    error: 'cancelling over HTTP is off: this server has no token; to turn it on, start it with serveStatus({ token })',
  })
  t.equal(pm.inFlight().length, 1)
  h.cancel()
  await h.result
  await srv.close()
  t.equal(srv.close(), srv.close(), 'close is idempotent')
  await pm.close()
})

t.test('a source that throws is a 500; the server goes on', async (t) => {
  const source: StatusSource = {
    inFlight: () => [],
    ps: () => { throw new Error('ps broke') },
    stats: () => ({ queued: 0, running: 0, finished: 0, failed: 0, timedOut: 0, cancelled: 0, durationMs: null }),
    cancel: () => { throw new TypeError('cancel broke') },
  }
  const srv = await serveStatus(source, { token: 't' })
  t.teardown(() => srv.close())
  const r = await request(srv.url, '/ps')
  t.equal(r.status, 500)
  t.same(JSON.parse(r.body), { error: 'internal error: ps broke' })
  t.equal((await request(srv.url, '/jobs/x/cancel', { method: 'POST', headers: { authorization: 'Bearer t' } })).status, 500)
  t.equal((await request(srv.url, '/stats')).status, 200)
})

t.test('options are checked; a port in use rejects', async (t) => {
  const pm = manager(t, { maxProcs: 1 })
  await t.rejects(pm.serveStatus(null as never), { name: 'TypeError', message: 'serveStatus() options must be an object, got null' })
  await t.rejects(pm.serveStatus({ hostname: 'localhost' } as never), {
    name: 'TypeError', message: '"hostname" is not a serveStatus() ' +
    'option; it takes port, host, token, refresh'
  })
  await t.rejects(pm.serveStatus({ Port: 8080 } as never), {
    name: 'TypeError', message: '"Port" is not a serveStatus() option; did you ' +
    'mean port?'
  })
  await t.rejects(pm.serveStatus({ port: 70000 }), {
    name: 'RangeError', message: 'serveStatus() port must be a whole number >= 0 and <= ' +
    '65535, got 70000'
  })
  await t.rejects(pm.serveStatus({ port: '80' as never }), {
    name: 'TypeError', message: 'serveStatus() port must be a whole number >= 0 ' +
    'and <= 65535, got "80"'
  })
  await t.rejects(pm.serveStatus({ host: '' }), { name: 'RangeError', message: 'serveStatus() host must be a non-empty string, got ""' })
  await t.rejects(pm.serveStatus({ token: 'has space' }), {
    name: 'RangeError', message: 'serveStatus() token must be a non-empty string of visible ASCII characters (it travels in an HTTP ' +
      'header), got a string of 9 characters, not all of them visible ASCII',
  }, 'the token is a secret: not shown')
  await t.rejects(pm.serveStatus({ token: '' }), { name: 'RangeError', message: /, got an empty string$/ })
  await t.rejects(pm.serveStatus({ token: 5 as never }), { name: 'TypeError', message: /token must be a non-empty string .*, got 5$/ })
  await t.rejects(pm.serveStatus({ refresh: 'often' }), RangeError)
  const blocker = net.createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => blocker.once('listening', resolve))
  const port = (blocker.address() as net.AddressInfo).port
  await t.rejects(pm.serveStatus({ port }), { code: 'EADDRINUSE' })
  blocker.close()
  const other = await pm.serveStatus({ host: '::1' })
  t.match(other.url, /^http:\/\/\[::1\]:\d+\/$/)
  t.equal((await request(other.url, '/stats')).status, 200)
  await other.close()
  const open = await pm.serveStatus({ host: '0.0.0.0' })
  t.equal((await request(open.url.replace('0.0.0.0', '127.0.0.1'), '/stats', { headers: { host: 'forkpool.internal' } })).status, 200,
    'bound beyond loopback: any Host')
  await open.close()
  await pm.close()
})

t.test('paths and tokens, unit by unit', async (t) => {
  t.same(pathSegments('/'), [''])
  t.same(pathSegments('/?x=1'), [''])
  t.same(pathSegments('/jobs/a%2Fb/cancel'), ['jobs', 'a/b', 'cancel'])
  t.equal(pathSegments('*'), null)
  t.equal(pathSegments('http://x/jobs'), null)
  t.equal(pathSegments('/%'), null)
  t.notOk(bearerMatches(undefined, 'x'))
  t.ok(bearerMatches('Bearer x', 'x'))
  t.notOk(bearerMatches('Bearer x y', 'x'))
})
