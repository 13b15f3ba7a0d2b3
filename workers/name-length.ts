// The classic Parallel::ForkManager example's child: reports a name's length as data and as its exit code.
import { finish, type WorkerContext } from '../lib/index.js'

export default function nameLength(name: string, ctx: WorkerContext) {
  return finish(name.length, { name, length: name.length, ident: ctx.ident, pid: process.pid })
}
