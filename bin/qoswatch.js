#!/usr/bin/env node
// The `qoswatch` command. It is committed, not built, so that npm links the command from a
// clone before `npm run build` too: npx caches a folder's install the first time it runs it, and
// one run before the build used to be kept without the command ("qoswatch: not found" from then
// on, build or not). It runs the build, or says how to make it.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const main = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'qoswatch: not built yet (dist/src/main.js is missing); run `npm ci && npm run build` in the clone first\n',
  );
  process.exit(1);
}
await import(main.href);
