// --pipe's blocks: cut at record boundaries, by size or by record count.
import t from 'tap'
import { blocks, cutPoint, recordsEnd } from '../../dist/lib/cli/pipe.js'

const lines = { blockBytes: 6, recstart: '', recend: '\n', records: undefined }
const all = async (chunks: string[], o: typeof lines | {
  blockBytes: number; recstart: string; recend: string; records: number | undefined,
}) => {
  async function* source() { for (const c of chunks) yield Buffer.from(c) }
  const out: string[] = []
  for await (const block of blocks(source(), o)) out.push(block.toString())
  return out
}

t.test('by size: the last whole record within the block, or the first one past it', async (t) => {
  t.same(await all(['1\n2\n3\n4\n5\n6\n7\n', '8\n9\n10\n'], lines), ['1\n2\n3\n', '4\n5\n6\n', '7\n8\n9\n', '10\n'])
  t.same(await all(['a-long-record\nb\n'], { ...lines, blockBytes: 3 }), ['a-long-record\n', 'b\n'],
    'a record longer than the block is one block')
  t.same(await all(['12345'], { ...lines, recend: '', blockBytes: 2 }), ['12', '34', '5'], 'no record marks: cut anywhere')
  t.same(await all([''], lines), [])
})

t.test('--recstart: a block ends before a record start', async (t) => {
  const o = { blockBytes: 1, recstart: 'A', recend: '', records: undefined }
  t.same(await all(['A1\nx\nA2\ny\n', 'A3\n'], o), ['A1\nx\n', 'A2\ny\n', 'A3\n'])
  t.equal(cutPoint(Buffer.from('A1A2'), 1, o), 2)
  t.equal(cutPoint(Buffer.from('A1x'), 1, o), -1, 'no second record yet')
})

t.test('-N: so many records per block', async (t) => {
  const o = { ...lines, records: 2 }
  t.same(await all(['1\n2\n3\n', '4\n5\n'], o), ['1\n2\n', '3\n4\n', '5\n'])
  t.equal(recordsEnd(Buffer.from('a;b;c'), 2, { ...o, recend: ';' }), 4)
  t.equal(recordsEnd(Buffer.from('abc'), 1, { ...o, recend: '' }), -1, 'no marks: no records to count')
})
