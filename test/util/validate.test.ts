// The shared validators (lib/util/validate.ts): options objects and their keys, the hint for an
// unknown key, and the kinds of value many options take.
import t from 'tap'
import {
  editDistance, elsewhere, invalidType, optionHint, optionKeys, outOfRange, unknownOption,
  validateAbortSignal, validateBoolean, validateFunction, validateInteger, validateNumberAbove,
  validateObject, validateOneOf, validateOptions, validateString, validateStringArray,
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
  t.throws(() => validateString('', 'name', true), {
    name: 'RangeError', message: 'name must be a non-empty string, got ""',
  }, 'the right type, empty')
  t.throws(() => validateString(null, 'name', true), { name: 'TypeError', message: 'name must be a non-empty string, got null' })
})

t.test('validateOneOf lists the choices: a RangeError for a value of their type, a TypeError for another', async (t) => {
  t.equal(validateOneOf('b', 'mode', ['a', 'b']), 'b')
  t.throws(() => validateOneOf('c', 'mode', ['a', 'b']), { name: 'RangeError', message: `mode must be one of 'a', 'b', got "c"` })
  t.throws(() => validateOneOf(1, 'mode', ['a', 'b']), { name: 'TypeError', message: `mode must be one of 'a', 'b', got 1` })
  t.throws(() => validateOneOf(undefined, 'mode', ['a', 'b']), {
    name: 'TypeError', message: `mode must be one of 'a', 'b', got ` +
    `undefined`
  })
  t.equal(validateOneOf(2, 'n', [1, 2]), 2)
  t.throws(() => validateOneOf(3, 'n', [1, 2]), { name: 'RangeError', message: `n must be one of '1', '2', got 3` })
})

t.test('invalidType and outOfRange: the one wording, "<name> must be <what it takes>, got <the value>"', async (t) => {
  const type = invalidType('opt', 'a number', 'x')
  t.ok(type instanceof TypeError)
  t.equal(type.message, 'opt must be a number, got "x"')
  const range = outOfRange('opt', 'a number above 0', -1)
  t.ok(range instanceof RangeError)
  t.equal(range.message, 'opt must be a number above 0, got -1')
})

t.test('validateStringArray', async (t) => {
  const value = ['a', '']
  t.equal(validateStringArray(value, 'args'), value)
  t.same(validateStringArray([], 'args'), [])
  t.throws(() => validateStringArray('a', 'args'), { name: 'TypeError', message: 'args must be an array of strings, got "a"' })
  t.throws(() => validateStringArray(['a', 1], 'args'), {
    name: 'TypeError', message: 'args must be an array of strings, got an array of ' +
    '2'
  })
})

t.test('validateInteger: a whole number within its bounds; Infinity only when asked', async (t) => {
  t.equal(validateInteger(0, 'n'), 0)
  t.equal(validateInteger(255, 'code', 0, 255), 255)
  t.equal(validateInteger(Infinity, 'limit', 1, undefined, true), Infinity)
  t.equal(validateInteger(4, 'limit', 1, undefined, true), 4)
  t.throws(() => validateInteger('1', 'code', 0, 255), {
    name: 'TypeError', message: 'code must be a whole number >= 0 and <= 255, got ' +
    '"1"'
  })
  t.throws(() => validateInteger(256, 'code', 0, 255), {
    name: 'RangeError', message: 'code must be a whole number >= 0 and <= 255, got ' +
    '256'
  })
  t.throws(() => validateInteger(-1, 'code', 0, 255), {
    name: 'RangeError', message: 'code must be a whole number >= 0 and <= 255, got ' +
    '-1'
  })
  t.throws(() => validateInteger(Infinity, 'n', 1), { name: 'RangeError', message: 'n must be a whole number >= 1, got Infinity' })
  t.throws(() => validateInteger(0, 'limit', 1, undefined, true), {
    name: 'RangeError', message: 'limit must be a whole number >= 1, or ' +
    'Infinity, got 0'
  })
  t.throws(() => validateInteger(null, 'limit', 1, undefined, true), {
    name: 'TypeError', message: 'limit must be a whole number >= 1, or Infinity, got null',
  })
})

t.test('validateNumberAbove: any number above the bound, Infinity too', async (t) => {
  t.equal(validateNumberAbove(0.5, 'load', 0), 0.5)
  t.equal(validateNumberAbove(Infinity, 'load', 0), Infinity)
  t.throws(() => validateNumberAbove('2', 'load', 0), { name: 'TypeError', message: 'load must be a number above 0, got "2"' })
  t.throws(() => validateNumberAbove(0, 'load', 0), { name: 'RangeError', message: 'load must be a number above 0, got 0' })
  t.throws(() => validateNumberAbove(NaN, 'load', 0), { name: 'RangeError', message: 'load must be a number above 0, got NaN' })
})

t.test('validateInteger with no upper bound', async (t) => {
  t.equal(validateInteger(0, 'n'), 0)
  t.equal(validateInteger(3, 'n', 3), 3)
  t.throws(() => validateInteger('2', 'n'), { name: 'TypeError', message: 'n must be a whole number >= 0, got "2"' })
  t.throws(() => validateInteger(-1, 'n'), { name: 'RangeError', message: 'n must be a whole number >= 0, got -1' })
  t.throws(() => validateInteger(1.5, 'n'), { name: 'RangeError', message: 'n must be a whole number >= 0, got 1.5' })
  t.throws(() => validateInteger(NaN, 'n'), { name: 'RangeError', message: 'n must be a whole number >= 0, got NaN' })
  t.throws(() => validateInteger(2, 'n', 3), { name: 'RangeError', message: 'n must be a whole number >= 3, got 2' })
})
