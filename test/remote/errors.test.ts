// The coded errors of the remote failures a user meets (RedisUnreachableError, JobRefusedError,
// QueueError), as test/errors.test.ts checks the core's: exported by the index, each with its name
// and code, instanceof its class, ForkpoolError and Error and no other, across two loaded copies of
// the module, and as plain data in a JobResult. Where each is met: agent-command.test.ts
// (startAgent), bad-input.test.ts and backend.test.ts (refusals, an unreachable Redis),
// acl.test.ts, lost-lock.test.ts and outage.test.ts (the queue).
import t from 'tap'
import { ForkpoolError, JobRefusedError, QueueError, RedisUnreachableError, WorkerLostError } from '../../dist/lib/index.js'
import { jobError } from '../../dist/lib/errors.js'
import { serializeError } from '../../dist/lib/util/serialize-error.js'

type Errors = typeof import('../../dist/lib/errors.js')

function classesOf(errors: Errors) {
  return [
    {
      Class: errors.RedisUnreachableError, name: 'RedisUnreachableError', code: 'ERR_FORKPOOL_REDIS_UNREACHABLE',
      make: () => new errors.RedisUnreachableError('no Redis', { cause: new Error('ECONNREFUSED') }),
    },
    {
      Class: errors.JobRefusedError, name: 'JobRefusedError', code: 'ERR_FORKPOOL_JOB_REFUSED',
      make: () => new errors.JobRefusedError('outside --root'),
    },
    { Class: errors.QueueError, name: 'QueueError', code: 'ERR_FORKPOOL_QUEUE', make: () => new errors.QueueError('cannot queue') },
  ]
}

const errors = await import('../../dist/lib/errors.js')
const classes = classesOf(errors)

t.test('the index exports them', async (t) => {
  t.equal(RedisUnreachableError, errors.RedisUnreachableError)
  t.equal(JobRefusedError, errors.JobRefusedError)
  t.equal(QueueError, errors.QueueError)
})

t.test('each: its name and code, static and on the instance; instanceof its class, ForkpoolError and Error, and not another', async (t) => {
  for (const { Class, name, code, make } of classes) {
    const error = make()
    t.equal(Class.code, code, `${name}.code`)
    t.match(error, { name, code })
    t.equal(String(error).split(':')[0], name, 'the name shows in its string form')
    t.ok(error instanceof Class, `instanceof ${name}`)
    t.ok(error instanceof ForkpoolError, `a ${name} is a ForkpoolError`)
    t.ok(error instanceof Error, `a ${name} is an Error`)
    t.notOk(error instanceof WorkerLostError, `a ${name} is not a WorkerLostError`)
    for (const other of classes) if (other.Class !== Class) t.notOk(error instanceof other.Class, `a ${name} is not a ${other.name}`)
  }
  t.match(classes[0]!.make(), { cause: { message: 'ECONNREFUSED' } }, 'the cause is kept')
})

t.test('across two loaded copies of the module, each recognises the other\'s', async (t) => {
  const copy = await import(new URL('../../dist/lib/errors.js?copy=remote', import.meta.url).href) as Errors
  t.not(copy.QueueError, errors.QueueError, 'a separate copy')
  classesOf(copy).forEach((other, i) => {
    const { Class, name, make } = classes[i]!
    t.ok(other.make() instanceof Class, `the copy's ${name} is an instance of ours`)
    t.ok(make() instanceof other.Class, `our ${name} is an instance of the copy's`)
    for (const another of classes) {
      if (another.Class !== Class) {
        t.notOk(other.make() instanceof another.Class,
      `the copy's ${name} is not our ${another.name}`)
      }
    }
  })
})

t.test('in a JobResult, as plain data: serializeError and jobError', async (t) => {
  for (const { Class, name, code, make } of classes) {
    t.match(serializeError(make()), { name, code, message: String })
    t.same(jobError(Class, 'why'), { name, code, message: 'why' })
  }
})
