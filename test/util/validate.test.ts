// The shared validators (lib/util/validate.ts): options objects and their keys, the hint for an
// unknown key, and the kinds of value many options take.
import t from 'tap'
import {
  editDistance, elsewhere, optionHint, optionKeys, unknownOption, validateAbortSignal, validateBoolean, validateCount,
  validateFunction, validateObject, validateOneOf, validateOptions, validateString,
} from '../../dist/lib/util/validate.js'

interface Sample { alpha?: number; betaGamma?: string; timeout?: number }
const KEYS = optionKeys<Sample>({ alpha: true, betaGamma: true, timeout: true })
const ELSEWHERE = elsewhere(['cwd', 'maxTasksPerWorker'], (key) => `other.${key}`)

t.test('optionKeys lists the keys in the order given', async (t) => {
  t.same([...KEYS], ['alpha', 'betaGamma', 'timeout'])
})

t.test('elsewhere places each key', async (t) => {
  t.same([...ELSEWHERE], [['cwd', 'other.cwd'], ['maxTasksPerWorker', 'other.maxTasksPerWorker']])
})

t.test('validateOptions: undefined is an empty options object, one frozen object for every call', async (t) => {
  const none = validateOptions(undefined, 'f()', KEYS)
  t.same(none, {})
  t.ok(Object.isFrozen(none))
  t.equal(validateOptions(undefined, 'g()', KEYS), none)
})

t.test('validateOptions: an object with known keys comes back as it is', async (t) => {
  const options = { alpha: 1, timeout: undefined }
  t.equal(validateOptions(options, 'f()', KEYS), options)
})

t.test('validateOptions: not an object, null or an array: TypeError naming the value', async (t) => {
  t.throws(() => validateOptions(null as never, 'f()', KEYS), { name: 'TypeError', message: 'f() options must be an object, got null' })
  t.throws(() => validateOptions('x' as never, 'f()', KEYS), { name: 'TypeError', message: 'f() options must be an object, got "x"' })
  t.throws(() => validateOptions([] as never, 'f()', KEYS), {
    name: 'TypeError', message: 'f() options must be an object, got an array of 0',
  })
  t.throws(() => validateOptions((() => {}) as never, 'f()', KEYS), { name: 'TypeError', message: /got function/ })
})

t.test('validateOptions: an unknown own key, even with the value undefined: TypeError naming it', async (t) => {
  t.throws(() => validateOptions({ alpha: 1, zeta: undefined } as never, 'f()', KEYS), {
    name: 'TypeError', message: /^"zeta" is not a f\(\) option; /,
  })
})

t.test('validateOptions: inherited keys are not the caller\'s options and pass', async (t) => {
  const options = Object.create({ inherited: 1 }) as Sample
  options.alpha = 2
  t.equal(validateOptions(options, 'f()', KEYS), options)
})

t.test('validateOptions: a key of elsewhere says where it belongs', async (t) => {
  t.throws(() => validateOptions({ maxTasksPerWorker: 5 } as never, 'f()', KEYS, { elsewhere: ELSEWHERE }), {
    name: 'TypeError', message: '"maxTasksPerWorker" is not a f() option; did you mean other.maxTasksPerWorker?',
  })
})

t.test('validateObject: a plain object comes back; anything else is a TypeError', async (t) => {
  const value = { a: 1 }
  t.equal(validateObject(value, 'the thing'), value)
  t.throws(() => validateObject(3, 'the thing'), { name: 'TypeError', message: 'the thing must be an object, got 3' })
})

t.test('unknownOption: the same but for case comes first', async (t) => {
  t.equal(unknownOption('BETAGAMMA', 'f()', KEYS).message, '"BETAGAMMA" is not a f() option; did you mean betaGamma?')
  t.equal(unknownOption('Timeout', 'f()', KEYS).message, '"Timeout" is not a f() option; did you mean timeout?')
})

t.test('unknownOption: else the closest spelling within a third of its length', async (t) => {
  t.equal(unknownOption('timout', 'f()', KEYS).message, '"timout" is not a f() option; did you mean timeout?', 'one letter left out')
  t.equal(unknownOption('betaGamam', 'f()', KEYS).message, '"betaGamam" is not a f() option; did you mean betaGamma?',
    'two letters swapped')
  t.equal(unknownOption('alpa', 'f()', KEYS).message, '"alpa" is not a f() option; did you mean alpha?', 'four letters allow one edit')
  t.equal(unknownOption('alpo', 'f()', KEYS).message, '"alpo" is not a f() option; it takes alpha, betaGamma, timeout', 'but not two')
})

t.test('unknownOption: a misspelling of a key that belongs elsewhere says where that goes', async (t) => {
  t.equal(unknownOption('cdw', 'f()', KEYS, ELSEWHERE).message, '"cdw" is not a f() option; did you mean other.cwd?')
})

t.test('unknownOption: an own key wins a tie with one of elsewhere', async (t) => {
  const near = elsewhere(['alphb'], (key) => `other.${key}`)
  t.equal(unknownOption('alphx', 'f()', KEYS, near).message, '"alphx" is not a f() option; did you mean alpha?')
  t.equal(unknownOption('alphbb', 'f()', KEYS, near).message, '"alphbb" is not a f() option; did you mean other.alphb?',
    'the closer one wins')
})

t.test('unknownOption: with nothing close it lists the keys', async (t) => {
  t.equal(unknownOption('frobnicate', 'ForkManager', KEYS, ELSEWHERE).message,
    '"frobnicate" is not a ForkManager option; it takes alpha, betaGamma, timeout')
})

t.test('unknownOption: keys that are Object.prototype names are not taken for places', async (t) => {
  t.equal(unknownOption('constructor', 'f()', KEYS, ELSEWHERE).message,
    '"constructor" is not a f() option; it takes alpha, betaGamma, timeout')
})

t.test('unknownOption: a long key is shortened in the message', async (t) => {
  t.match(unknownOption('x'.repeat(100), 'f()', KEYS).message, /^"x{60}…" is not a f\(\) option/)
})

t.test('optionHint: the part after the semicolon', async (t) => {
  t.equal(optionHint('alhpa', KEYS), 'did you mean alpha?')
  t.equal(optionHint('zzz', KEYS), 'it takes alpha, betaGamma, timeout')
})

t.test('editDistance: inserts, deletes, substitutions and swaps of neighbours count one each', async (t) => {
  t.equal(editDistance('', ''), 0)
  t.equal(editDistance('abc', ''), 3)
  t.equal(editDistance('', 'ab'), 2)
  t.equal(editDistance('maxprocs', 'maxprocs'), 0)
  t.equal(editDistance('timout', 'timeout'), 1)
  t.equal(editDistance('timeoutx', 'timeout'), 1)
  t.equal(editDistance('tineout', 'timeout'), 1)
  t.equal(editDistance('isloation', 'isolation'), 1)
  t.equal(editDistance('ca', 'abc'), 3, 'optimal string alignment: a swapped pair is not edited again')
  t.equal(editDistance('kitten', 'sitting'), 3)
})

t.test('validateAbortSignal: an AbortSignal or undefined', async (t) => {
  const signal = new AbortController().signal
  t.equal(validateAbortSignal(signal, 'f() signal'), signal)
  t.equal(validateAbortSignal(undefined, 'f() signal'), undefined)
  t.throws(() => validateAbortSignal({ aborted: false }, 'f() signal'), {
    name: 'TypeError', message: 'f() signal must be an AbortSignal, got an object',
  })
  t.throws(() => validateAbortSignal(null, 'f() signal'), { name: 'TypeError', message: 'f() signal must be an AbortSignal, got null' })
})

t.test('validateFunction', async (t) => {
  const f = (): void => {}
  t.equal(validateFunction(f, 'callback'), f)
  t.throws(() => validateFunction('no', 'callback'), { name: 'TypeError', message: 'callback must be a function, got "no"' })
  t.throws(() => validateFunction(undefined, 'callback'), { name: 'TypeError', message: 'callback must be a function, got undefined' })
})

t.test('validateBoolean', async (t) => {
  t.equal(validateBoolean(false, 'flag'), false)
  t.equal(validateBoolean(true, 'flag'), true)
  t.throws(() => validateBoolean(1, 'flag'), { name: 'TypeError', message: 'flag must be a boolean, got 1' })
})

t.test('validateString: any string, or with nonEmpty not the empty one', async (t) => {
  t.equal(validateString('', 'label'), '')
  t.equal(validateString('a', 'name', true), 'a')
  t.throws(() => validateString(2, 'label'), { name: 'TypeError', message: 'label must be a string, got 2' })
  t.throws(() => validateString('', 'name', true), { name: 'TypeError', message: 'name must be a non-empty string, got ""' })
})

t.test('validateOneOf lists the choices', async (t) => {
  t.equal(validateOneOf('b', 'mode', ['a', 'b']), 'b')
  t.throws(() => validateOneOf('c', 'mode', ['a', 'b']), { name: 'TypeError', message: `mode must be one of 'a', 'b', got "c"` })
})

t.test('validateCount: a whole number from min', async (t) => {
  t.equal(validateCount(0, 'n'), 0)
  t.equal(validateCount(3, 'n', 3), 3)
  t.throws(() => validateCount('2', 'n'), { name: 'TypeError', message: 'n must be a number, got "2"' })
  t.throws(() => validateCount(-1, 'n'), { name: 'RangeError', message: 'n must be a whole number >= 0, got -1' })
  t.throws(() => validateCount(1.5, 'n'), { name: 'RangeError', message: 'n must be a whole number >= 0, got 1.5' })
  t.throws(() => validateCount(NaN, 'n'), { name: 'RangeError', message: 'n must be a whole number >= 0, got NaN' })
  t.throws(() => validateCount(2, 'n', 3), { name: 'RangeError', message: 'n must be a whole number >= 3, got 2' })
})
