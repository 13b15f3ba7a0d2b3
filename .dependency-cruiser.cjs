// The layers of lib/, checked on every `npm test` (pretest: npm run lint:deps). Lowest first:
//   util → primitives → worker-file → runners → {map, control} → manager → remote → {cli, index.ts}
// A layer may import itself and any layer below it; map and control are siblings and must not
// import each other. errors.ts and types.ts may be imported from every layer and import only
// util/ and each other. test/structure.test.ts proves the rules catch what they should, on a
// small tree under test/fixtures/layers/ that breaks them on purpose.

const path = require('node:path')

// Path patterns are relative to where depcruise runs (the project root, or the fixture's root).
const ROOT_FILES = '^lib/(errors|types)\\.ts$'
/** Every layer, lowest first; a layer is a list of patterns (siblings share a rank). */
const LAYERS = [
  ['^lib/util/'],
  ['^lib/primitives/'],
  ['^lib/worker-file/'],
  ['^lib/runners/'],
  ['^lib/map/', '^lib/control/'],
  ['^lib/manager/'],
  ['^lib/remote/'],
  ['^lib/cli/', '^lib/index\\.ts$'],
]
const KNOWN = [ROOT_FILES, ...LAYERS.flat()].join('|')
// The code that runs inside a child process or thread: the parent side starts it by path, never imports it.
const CHILD_SIDE = '^lib/runners/[^/]+/runtime\\.c?ts$'

const name = (pattern) => pattern.replace(/^\^lib\//, '').replace(/\\/g, '').replace(/\$$/, '').replace(/\/$/, '')

/** For each layer (and each sibling in it): no import of anything above it, nor of a sibling. */
const layerRules = LAYERS.flatMap((layer, rank) =>
  layer.map((self) => {
    const above = LAYERS.slice(rank + 1).flat()
    const siblings = layer.filter((other) => other !== self)
    const forbidden = [...above, ...siblings]
    return {
      name: `layer-${name(self)}`,
      comment: `lib/${name(self)} may import only itself, lower layers, errors.ts and types.ts, not ${forbidden.map(name).join(', ')}`,
      severity: 'error',
      from: { path: self },
      to: { path: forbidden.join('|') },
    }
  })
).filter((rule) => rule.to.path !== '')

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'root-files-import-only-util',
      comment: 'errors.ts and types.ts are imported from every layer, so they may import only lib/util and each other',
      severity: 'error',
      from: { path: ROOT_FILES },
      to: { path: '^lib/', pathNot: `^lib/util/|${ROOT_FILES}` },
    },
    {
      name: 'outside-the-layers',
      comment: 'every file in lib/ belongs to a layer: add a new folder to LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: {},
      to: { path: '^lib/', pathNot: KNOWN },
    },
    {
      name: 'no-parent-imports-a-runtime',
      comment:
        'runtime.ts runs inside a child process or thread: the parent side starts it by path and ' +
          'shares only its protocol.ts, types included (a type import today is a value import tomorrow)',
      severity: 'error',
      from: { pathNot: CHILD_SIDE },
      to: { path: CHILD_SIDE },
    },
    {
      name: 'runtime-imports-only-child-code',
      comment:
        'a runtime loads in every child: it may import only lib/worker-file, lib/util, errors.ts, types.ts and files of its own ' +
          'folder',
      severity: 'error',
      from: { path: '^lib/runners/([^/]+)/runtime\\.c?ts$' },
      to: { path: '^lib/', pathNot: `^lib/(worker-file|util)/|${ROOT_FILES}|^lib/runners/$1/` },
    },
    {
      name: 'no-circular',
      comment: 'a cycle ties its modules into one: they can no longer be understood, tested or layered apart',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-dev-dep',
      comment:
        'lib/ is what users install: a devDependency is not installed with it ' +
          '(type-only imports count: they end up in the published .d.ts)',
      severity: 'error',
      from: { path: '^lib/' },
      // bullmq and ioredis are devDependencies only so that the tests have them: to users they are optional peers (next rule).
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['npm-peer'] },
    },
    {
      name: 'optional-peers-through-peers-ts',
      comment:
        'bullmq and ioredis are optional peer dependencies: lib/remote/peers.ts alone loads them, by import(), so that a user ' +
          'without them reads one line saying what to install; a static import elsewhere would fail first, with a stack of ' +
            'ERR_MODULE_NOT_FOUND. Other files of lib/remote/ import their types only',
      severity: 'error',
      from: { path: '^lib/', pathNot: '^lib/remote/peers\\.ts$' },
      to: { dependencyTypes: ['npm-peer'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that cannot be resolved fails at run time',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-orphans',
      comment: 'a file in lib/ that imports nothing and nothing imports is dead code',
      severity: 'error',
      from: { orphan: true, path: '^lib/' },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too (the runtimes' types live in protocol.ts for that reason).
    tsPreCompilationDeps: true,
    // Found next to this file, so the config also works from the fixture's root (test/structure.test.ts).
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
}
