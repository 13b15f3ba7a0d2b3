// Captured output as bytes: encoding 'latin1' keeps every byte, on the direct path and through a shell.
import t from 'tap'
import { manager } from '../helpers/manager.js'

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
const octal = [...ALL_BYTES].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')

t.test("encoding 'latin1': every byte of stdout and stderr comes back", async (t) => {
  const pm = manager(t)
  const direct = await (await pm.start('direct', { command: 'printf', args: [octal], capture: true, encoding: 'latin1' })).result
  t.same(Buffer.from(direct.stdout!, 'latin1'), ALL_BYTES)
  const shell = await (await pm.start('shell', { command: `printf '${octal}' >&2`, shell: true, capture: true, encoding: 'latin1' })).result
  t.same(Buffer.from(shell.stderr!, 'latin1'), ALL_BYTES)
  const utf8 = await (await pm.start('utf8', { command: 'printf', args: ['\\303\\251\\377'], capture: true })).result
  t.equal(utf8.stdout, 'é\uFFFD', "the default, 'utf8', decodes (and replaces what is not UTF-8)")
})

t.test('a bad encoding is refused at the call', async (t) => {
  const pm = manager(t)
  await t.rejects(pm.start('bad', { command: 'true', encoding: 'buffer' as never }), {
    name: 'RangeError', message: /job.encoding must be one of 'utf8', 'latin1', got "buffer"/,
  })
})
