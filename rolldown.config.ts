import { defineConfig, type Plugin } from 'rolldown';

/**
 * Part of `npm run build`, after tsc: dist/src/main.js (the `qoswatch` command) becomes one
 * module holding what every command needs, with each command's own code in a chunk of
 * dist/src/chunks/ loaded when the command is asked for. Node reads, resolves and links a
 * few modules instead of ~200 of ours and ~80 of the pure-JS libraries bundled below (issue
 * 16: `qoswatch run` until /readyz, CPU, 980 -> 650 ms against the unbundled build in one run).
 * The rest of dist/src/ stays as tsc wrote it (build tools and tests import it). The runtime
 * dependencies that are not bundled are imported from node_modules as before: pino and its
 * transports (worker threads that resolve pino-pretty by name), ajv and ajv-formats (the
 * generated validators require them), and the libraries loaded only when used. prom-client
 * (with @opentelemetry/api, which it requires) is bundled into the chunk of export/registry.ts,
 * imported at the first scrape or cycle, after the daemon is ready.
 */
const BUNDLED = ['yaml', 'prom-client', '@opentelemetry/api', 'mustache', 'tdigest', 'bintrees'];

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

export default defineConfig({
  input: { main: 'dist/src/main.js' },
  platform: 'node',
  plugins: [builtinsWithoutFacade],
  // node: builtins and the packages not bundled stay imports, by name. (The generated
  // validators are required by a path computed at run time, which the bundler leaves alone.)
  external: (id) => id.startsWith('node:') || !bundled(id),
  output: {
    dir: 'dist/src',
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    // Licence headers of the bundled libraries stay in the code they came with.
    legalComments: 'inline',
  },
});
