import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDir } from '../util/make-dir.js';
import { fromRoot } from '../util/package-root.js';
import { configSchema } from './schema.js';

/** Where the build writes the schema editors read (shipped in the package and the image). */
export const EDITOR_SCHEMA_FILE = fromRoot('dist', 'schema', 'config.schema.json');

/** `${VAR}` or `${VAR:-default}`: what an editor should accept wherever qoswatch expands it. */
const ENV_REFERENCE = {
  type: 'string',
  pattern: '^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$',
  description: 'An environment variable, read when qoswatch loads the file: ${VAR} or ${VAR:-default}.',
};

/**
 * The configuration schema as editors see it: the file is checked before `${VAR}` references are
 * expanded, so every number, boolean, URL and patterned value (an address, a duration) may also be written
 * as a reference.
 */
export function editorSchema(node: unknown = configSchema()): unknown {
  if (Array.isArray(node)) return node.map((n) => editorSchema(n));
  if (!node || typeof node !== 'object') return node;
  const out = Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === 'enum' || k === 'const' ? v : SCHEMA_MAPS.includes(k) ? schemaMap(v) : editorSchema(v),
    ]),
  );
  const o = node as { type?: unknown; format?: unknown; pattern?: unknown };
  const typed =
    ['integer', 'number', 'boolean'].includes(String(o.type)) ||
    o.format !== undefined ||
    o.pattern !== undefined;
  return typed ? { anyOf: [out, ENV_REFERENCE] } : out;
}

/** Keywords whose value maps names to schemas (a property named "format" is not a format). */
const SCHEMA_MAPS = ['properties', 'definitions', '$defs', 'patternProperties'];

function schemaMap(map: unknown): unknown {
  if (!map || typeof map !== 'object') return map;
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, editorSchema(v)]));
}

/**
 * Writes the editors' schema to `file`; `npm run build` calls it with the one of the tree it
 * builds (a folder beside dist/ until the build is swapped in: scripts/build.mjs).
 */
export function writeEditorSchema(file = EDITOR_SCHEMA_FILE): string {
  makeDir(dirname(file));
  writeFileSync(file, JSON.stringify(editorSchema(), null, 2) + '\n');
  return file;
}
