// The status page in a real headless browser (Debian's chromium, or the one inside the
// @sparticuz/chromium devDependency, driven by playwright-core): it lists the jobs with their
// ages, refreshes itself, and its cancel button really stops a job.
import { hostname } from 'node:os'
import t from 'tap'
import { launchChromium } from '../../helpers/browser.js'
import { manager } from '../../helpers/manager.js'
import { processesMatching } from '../../helpers/paths.js'
import { eventually } from '../../helpers/wait.js'

t.test('the HTML page lists, ages, refreshes and cancels', async (t) => {
  // Never skipped: no browser, or one that does not start, fails here and says what to install.
  const browser = await launchChromium()
  t.teardown(() => browser.close())
  const pm = manager(t, { maxProcs: 3 })
  const marker = 'sleep 88.61'
  const victim = await pm.start('victim', { command: 'sh', args: ['-c', `${marker} & wait`] }, { name: 'nightly-sync', label: 'db' })
  const hostile = '<img src=x onerror="window.pwned=1">'
  const other = await pm.start(hostile, { command: 'sleep', args: ['30'] })
  const srv = await pm.serveStatus({ token: 'open-sesame', refresh: '300ms' })

  const page = await browser.newPage()
  const external: string[] = []
  page.on('request', (req) => {
    if (!req.url().startsWith(srv.url)) external.push(req.url())
  })
  const consoleErrors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })
  await page.goto(srv.url)
  t.equal(await page.title(), 'forkpool: jobs in flight')
  const rows = page.locator('#jobs tr')
  t.equal(await rows.count(), 2, 'both jobs are listed')
  t.equal(await page.locator('#count').textContent(), '2')
  t.equal(await page.locator('#counts').textContent(), 'Queued 0, running 2; finished 0: 0 failed, 0 timed out, 0 cancelled',
    'the counts of /stats, from the first paint')
  const victimRow = page.locator('tr[data-target="nightly-sync"]')
  t.same(await victimRow.locator('td').allTextContents().then((cells) => cells.slice(0, 6)),
    ['victim', 'nightly-sync', 'db', 'running', String(victim.pid), hostname()])
  t.equal(await page.locator('#jobs tr').nth(1).locator('td').first().textContent(), hostile, 'an ident full of HTML is shown as text')
  t.equal(await page.evaluate(() => (window as { pwned?: number }).pwned), undefined, 'and never runs')

  // Ages grow as the page refreshes itself.
  const ageCell = victimRow.locator('td').nth(6)
  const firstAge = parseInt((await ageCell.textContent())!, 10)
  await page.waitForTimeout(2200)
  const laterAge = parseInt((await ageCell.textContent())!, 10)
  t.ok(laterAge >= firstAge + 1, `the age went from ${firstAge}s to ${laterAge}s`)
  // A job started after the page loaded shows up by itself.
  const newcomer = await pm.start('newcomer', { command: 'sleep', args: ['30'] })
  await page.locator('tr[data-target="newcomer"]').waitFor({ timeout: 5000 })
  t.pass('a new job appeared without a reload')

  // No token in the page: no cancel buttons.
  t.ok(await victimRow.locator('button').isHidden(), 'no token, no cancel button')
  await page.fill('#token', 'wrong-token')
  await victimRow.locator('button').click()
  await page.locator('#message', { hasText: 'HTTP 401' }).waitFor({ timeout: 5000 })
  t.match(await page.locator('#message').textContent(), /failed: HTTP 401: cancelling needs this server's token/, 'the refusal says why')
  t.equal(pm.inFlight().length, 3, 'a wrong token cancels nothing')

  await page.fill('#token', 'open-sesame')
  await victimRow.locator('button').click()
  const result = await victim.result
  t.match(result, { ident: 'victim', cancelled: true, cancelReason: 'cancelled over HTTP', signal: 'SIGTERM' })
  t.ok(await eventually(async () => (await processesMatching(marker)).length === 0), 'its processes are gone')
  await victimRow.waitFor({ state: 'detached', timeout: 5000 })
  t.pass('the row went away on the next refresh')
  t.equal(await rows.count(), 2)
  await page.locator('#message', { hasText: 'Cancelled nightly-sync: it has ended' }).waitFor({ timeout: 5000 })
  t.pass('"Cancelling nightly-sync" gives way once the job is gone')
  await page.locator('#counts', { hasText: 'finished 1: 0 failed, 0 timed out, 1 cancelled' }).waitFor({ timeout: 5000 })
  t.pass('the counts follow /stats as the page refreshes')
  t.same(external, [], 'the page fetched nothing from elsewhere')
  t.same(consoleErrors.filter((e) => !e.includes('401')), [], 'no script errors (beyond the refused cancel)')
  newcomer.cancel()
  other.cancel()
})
