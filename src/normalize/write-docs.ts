import { readFileSync, writeFileSync } from 'node:fs';
import { fromRoot } from '../util/package-root.js';
import { DOC_TABLES, withTable } from './catalog-docs.js';

/** `npm run docs`: writes the field tables rendered from the catalog into docs/*.md. */
for (const [name, { file }] of Object.entries(DOC_TABLES)) {
  const path = fromRoot(...file.split('/'));
  writeFileSync(path, withTable(readFileSync(path, 'utf8'), name));
  process.stdout.write(`wrote the ${name} table to ${file}\n`);
}
