import { defineConfig, type Plugin } from 'rolldown';

/**
 * Part of `npm run build`, after tsc: dist/src/main.js (the `qoswatch` command) becomes one
 * module holding what every command needs, with each command's own code in a chunk of
 * dist/src/chunks/ loaded when the command is asked for. Node reads, resolves and links a
 * few modules instead of ~200 of ours and ~80 of the pure-JS libraries bundled below (issue
 * 16: `qoswatch run` until /readyz, CPU, 980 -> 650 ms against the unbundled build in one run).
 * The rest of dist/src/ stays as tsc wrote it (build tools and tests import it). The runtime
 * dependencies that are not bundled are imported from node_modules as before: ajv and
 * ajv-formats (the generated validators require them), and the libraries loaded only when used.
 * prom-client (with @opentelemetry/api, which it requires) is bundled into the chunk of
 * export/registry.ts, imported at the first scrape or cycle, after the daemon is ready. pino and
 * the packages it loads are bundled too (its ~25 CommonJS files took 31 ms of CPU to load from
 * node_modules on Node 24, 14 ms bundled); the pretty format, whose transport runs pino's own
 * files in a worker thread, uses pino from node_modules instead (util/logger.ts).
 */
const BUNDLED = [
  ...['yaml', 'prom-client', '@opentelemetry/api', 'mustache', 'tdigest', 'bintrees'],
  ...['pino', '@pinojs/redact', 'pino-std-serializers', 'sonic-boom', 'atomic-sleep', 'thread-stream'],
  ...['on-exit-leak-free', 'process-warning', 'quick-format-unescaped', 'safe-stable-stringify'],
];

const bundled = (id: string): boolean =>
  id.startsWith('.') || id.startsWith('/') || BUNDLED.some((b) => id === b || id.startsWith(`${b}/`));

/**
 * `import { x } from "node:http"` in the bundle becomes `const { x } = process.getBuiltinModule("node:http")`.
 * Importing a built-in module as ESM makes Node build a facade of all its exports, which reads
 * every lazy getter: on Node 24, node:http's load Node's fetch (undici), node:crypto's WebCrypto,
 * node:util's and node:fs's their own; 110, 18, 14 and 11 ms of CPU, against 0.1-11 ms for the
 * module itself (issue 16: `qoswatch run` until /readyz took 4x a bare server's CPU on Node 24).
 * process.getBuiltinModule (Node 20.16+, 22.3+) gives the module itself. Built-in modules depend
 * on nothing of ours, and the chunks import each other without cycles, so evaluating these at
 * the top of each chunk is what the imports did.
 */
const BUILTIN_IMPORT = /^import (.+?) from "(node:[\w/]+)";$/gm;

function builtinBinding(what: string, id: string): string {
  const get = `process.getBuiltinModule(${JSON.stringify(id)})`;
  const named = /^\{([^}]*)\}$/.exec(what);
  if (named)
    return `const { ${named[1]!
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => s.replace(/^(\S+) as (\S+)$/, '$1: $2'))
      .join(', ')} } = ${get};`;
  const whole = /^(?:\* as )?([\w$]+)$/.exec(what);
  if (whole) return `const ${whole[1]} = ${get};`;
  throw new Error(`rolldown.config.ts: cannot rewrite \`import ${what} from "${id}"\``);
}

const builtinsWithoutFacade: Plugin = {
  name: 'builtins-without-facade',
  renderChunk: (code) =>
    code.replace(BUILTIN_IMPORT, (_, what: string, id: string) => builtinBinding(what, id)),
};

/**
 * Every character outside ASCII in the output (in comments, strings, regular expressions, a
 * property name such as `µs`) becomes its `\uXXXX` escape, which means the same there. A source
 * file that is all ASCII is read by Node as a one-byte string; one non-ASCII character anywhere
 * (a dash in a comment) makes Node decode all of it as UTF-8 into a two-byte string, which V8
 * then scans at twice the size: decoding the five chunks `qoswatch run` loads took 9 ms instead of
 * 3 ms on Node 24. (No template literal in the bundle is read raw with such a character.)
 */
const asciiOnly: Plugin = {
  name: 'ascii-only',
  generateBundle(_, bundle) {
    for (const chunk of Object.values(bundle))
      if (chunk.type === 'chunk')
        chunk.code = chunk.code.replace(
          /[\u0080-\uffff]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        );
  },
};

/** The tree being built: scripts/build.mjs builds in a folder beside dist/ and swaps it in whole. */
const out = process.env.QOSWATCH_BUILD_DIR ?? 'dist';

export default defineConfig({
  input: { main: `${out}/src/main.js` },
  platform: 'node',
  plugins: [builtinsWithoutFacade, asciiOnly],
  // node: builtins and the packages not bundled stay imports, by name. (The generated
  // validators are required by a path computed at run time, which the bundler leaves alone.)
  external: (id) => id.startsWith('node:') || !bundled(id),
  output: {
    dir: `${out}/src`,
    format: 'esm',
    entryFileNames: '[name].js',
    // Named by their content: a daemon running from dist/ while it is rebuilt loads its chunks
    // lazily, by these names; the build keeps the last build's chunks (scripts/build.mjs).
    chunkFileNames: 'chunks/[name]-[hash].js',
    // Licence headers of the bundled libraries stay in the code they came with.
    legalComments: 'inline',
  },
});
