// The import rules of src/ (docs/architecture.md draws them); `npm run deps` checks them and
// `npm test` runs it. Two rules: no import cycle between files, and each folder imports only the
// folders listed for it below: util below all, zoom and normalize below poll (normalize owns the
// events poll hands on), evaluate -> normalize, notify -> evaluate, export and report over the
// pipeline, config above what it configures, app and cli on top.
// A new folder under src/ takes its place here (the check refuses a folder it does not know).

/** Folder -> the folders it may import (besides itself and util/). */
const LAYERS = {
  util: [],
  zoom: [],
  normalize: [],
  poll: ['zoom', 'normalize'],
  evaluate: ['normalize'],
  notify: ['evaluate', 'normalize'],
  export: ['zoom', 'poll', 'normalize', 'evaluate', 'notify'],
  report: ['zoom', 'poll', 'normalize', 'evaluate'],
  simulator: ['zoom', 'normalize'],
  config: ['zoom', 'poll', 'normalize', 'evaluate', 'notify', 'export', 'report'],
  app: ['zoom', 'poll', 'normalize', 'evaluate', 'notify', 'export', 'report', 'config'],
  cli: ['zoom', 'poll', 'normalize', 'evaluate', 'notify', 'export', 'report', 'config', 'app', 'simulator'],
};

// The folder order itself must have no cycle, or the rules below would allow one.
(function assertNoCycle() {
  const state = {};
  const visit = (name, path) => {
    if (state[name] === 'done') return;
    if (state[name] === 'open')
      throw new Error(`.dependency-cruiser.cjs: layer cycle ${[...path, name].join(' -> ')}`);
    state[name] = 'open';
    for (const next of LAYERS[name] ?? []) visit(next, [...path, name]);
    state[name] = 'done';
  };
  for (const name of Object.keys(LAYERS)) visit(name, []);
})();

const known = Object.keys(LAYERS).join('|');

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle: a file reaches itself through its imports. Move the shared part down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment:
        'A cycle between folders (two sibling subfolders such as notify/pipeline/ and notify/plugins/ importing each other through different files): the layer table does not see subfolders. Let one of them use the other, not both.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'unknown-folder',
      severity: 'error',
      comment: 'A folder under src/ that .dependency-cruiser.cjs does not place: add it to LAYERS.',
      from: { path: `^src/(?!(${known})/)[^/]+/` },
      to: {},
    },
    {
      name: 'unknown-folder',
      severity: 'error',
      comment:
        'A file directly under src/ other than main.ts is in no layer: put it in the folder of its layer.',
      from: { path: '^src/(?!main[.]ts$)[^/]+[.]ts$' },
      to: {},
    },
    {
      name: 'unknown-folder',
      severity: 'error',
      comment: 'A folder under src/ that .dependency-cruiser.cjs does not place: add it to LAYERS.',
      from: { path: `^src/(?!(${known})/)[^/]+/`, orphan: true },
      to: {},
    },
    {
      name: 'simulator-on-demand',
      severity: 'error',
      comment:
        'Only `qoswatch demo` and `qoswatch simulate` load the simulator: `qoswatch run` never does. (cli/known-schemas.ts reads its scenario schema at build time.)',
      from: { pathNot: '^src/(simulator/|cli/(demo|simulate|known-schemas)[.]ts$)' },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'simulator-commands-on-demand',
      severity: 'error',
      comment:
        'cli/demo.ts and cli/simulate.ts load the simulator: only main.ts imports them, with import(), when asked for.',
      from: { pathNot: '^src/main[.]ts$' },
      to: { path: '^src/cli/(demo|simulate)[.]ts$' },
    },
    {
      name: 'build-only',
      severity: 'error',
      comment:
        'cli/known-schemas.ts gathers every schema (the scenario one too) for the build: only cli/build-validators.ts imports it.',
      from: { pathNot: '^src/cli/build-validators[.]ts$' },
      to: { path: '^src/cli/known-schemas[.]ts$' },
    },
    {
      name: 'commands-on-demand',
      severity: 'error',
      comment:
        'main.ts imports a command when it is asked for (import()), so each loads only what it needs: statically it imports only cli/args.ts and util/.',
      from: { path: '^src/main[.]ts$' },
      to: { path: '^src/', pathNot: '^src/(cli/args[.]ts$|util/)', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'args-light',
      severity: 'error',
      comment: 'main.ts loads cli/args.ts before any command: it imports only util/.',
      from: { path: '^src/cli/args[.]ts$' },
      to: { path: '^src/', pathNot: '^src/util/' },
    },
    {
      name: 'subfolder-not-parent',
      severity: 'error',
      comment:
        "A subfolder imports its parent folder's own files: the parent composes its subfolders (notify/ builds pipeline/ and plugins/, export/metrics.ts registers collectors/), so arrows go one way and there is no cycle between a folder and its subfolder. Move what both need into the subfolder.",
      from: { path: '^(src/.+)/[^/]+/[^/]+$' },
      to: { path: '^$1/[^/]+$' },
    },
    ...Object.entries(LAYERS).map(([layer, allowed]) => ({
      name: `layer-${layer}`,
      severity: 'error',
      comment: `${layer}/ may import only ${[...allowed, 'util'].join(', ')} (docs/architecture.md).`,
      from: { path: `^src/${layer}/` },
      to: { path: '^src/', pathNot: `^src/(${[layer, 'util', ...allowed].join('|')})/` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type from the wrong layer is the start of a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
