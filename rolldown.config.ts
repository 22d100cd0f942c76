import { defineConfig } from 'rolldown';

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

export default defineConfig({
  input: { main: 'dist/src/main.js' },
  platform: 'node',
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
