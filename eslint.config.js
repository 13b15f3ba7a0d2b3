// The linter `npm test` runs (pretest: npm run lint): neostandard's style, which is the code's own (no
// semicolons, single quotes), and typescript-eslint's type-checked rules, so that no promise is left
// unhandled. test/lint.test.ts proves it catches what it should, on test/fixtures/lint/.
import neostandard from 'neostandard'
import tseslint from 'typescript-eslint'

const FILES = ['**/*.ts', '**/*.cts', '**/*.mts', '**/*.js', '**/*.cjs', '**/*.mjs']

export default [
  ...neostandard({
    ts: true,
    filesTs: ['**/*.cts', '**/*.mts'],
    noJsx: true,
    ignores: [
      'dist/**', 'build/**', 'docs/**', 'coverage/**', '.tap/**', '.ci/cache/**',
      // Invalid on purpose: TypeScript that must not compile (test/package/types.test.ts), a worker file with a syntax error.
      'test/fixtures/types/**', 'test/fixtures/workers/syntax-error.mjs',
      // Break the rules on purpose: test/lint.test.ts lints the first with this config; test/structure.test.ts runs depcruise
      // on the second.
      'test/fixtures/lint/**', 'test/fixtures/layers/**',
    ],
  }),
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: FILES })),
  {
    name: 'forkpool/type-checked',
    files: FILES,
    languageOptions: {
      parserOptions: {
        // One program for every linted file (tsconfig.eslint.json), rather than the project service's one per tsconfig.json.
        project: './tsconfig.eslint.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // tap's t.test() returns a promise that only ever resolves (tap reports a failed subtest itself): a test file calls it
        // without awaiting it.
        allowForKnownSafeCalls: [{ from: 'package', package: '@tapjs/test', name: 'test' }],
      }],
      // Passing on a rejection reason that is not ours to wrap (an AbortSignal's reason, a caught error), as only-throw-error allows.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // An async function without await is how a function that may throw says it rejects instead (and how a tap callback says
      // it returns a promise).
      '@typescript-eslint/require-await': 'off',
      // neostandard's, and a name that starts with _ is unused on purpose (`for await (const _ of results)`, a permit held to its
      // scope's end).
      '@typescript-eslint/no-unused-vars': ['error', {
        args: 'none', caughtErrors: 'none', ignoreRestSiblings: true, vars: 'all', varsIgnorePattern: '^_',
      }],
      // TypeScript itself refuses a redeclaration; a value and a type of one name (peers.ts's Queue, as a class has) are not one.
      '@typescript-eslint/no-redeclare': 'off',
      // `import x = require('x')` is how a .cts file imports a CommonJS package.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
    },
  },
  {
    // Plain JavaScript (fixtures, scripts, CommonJS configs) has no type annotations: its values are `any` to these rules.
    name: 'forkpool/untyped',
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    name: 'forkpool/style',
    files: FILES,
    rules: {
      '@stylistic/max-len': ['error', { code: 140, tabWidth: 2, ignoreUrls: true }],
      // A string that holds both kinds of quote is written as a template literal rather than with escapes.
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: true }],
      // The code's own spacing: `function name(`, `function* gen(`, `yield* items` (neostandard has `function name (`, `function * gen`).
      '@stylistic/space-before-function-paren': ['error', { anonymous: 'always', named: 'never', asyncArrow: 'always' }],
      '@stylistic/generator-star-spacing': ['error', { before: false, after: true }],
      '@stylistic/yield-star-spacing': ['error', { before: false, after: true }],
      // A wrapped object keeps related properties on one line (`name: 'TypeError', message: …`).
      '@stylistic/object-property-newline': 'off',
      // `void promise` marks a promise left floating on purpose (no-floating-promises' own convention), also as an arrow's body.
      'no-void': 'off',
    },
  },
]
