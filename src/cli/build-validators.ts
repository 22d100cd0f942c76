import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeDir } from '../util/make-dir.js';
import { GENERATED_DIR, generatedFile, generatedModules } from '../util/validators.js';
import { knownSchemas } from './known-schemas.js';

/**
 * Part of `npm run build`: writes dist/src/util/generated-validators/<key>.cjs, the ajv standalone
 * validator of every schema known ahead of time, so that start-up compiles none.
 */
const dir = new URL(`../util/${GENERATED_DIR}/`, import.meta.url);
makeDir(fileURLToPath(dir));
const modules = generatedModules(knownSchemas());
for (const [key, code] of modules) writeFileSync(generatedFile(key, dir), code);
process.stdout.write(`wrote ${modules.size} validators to ${dir.pathname}\n`);
