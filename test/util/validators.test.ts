import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { knownSchemas } from '../../src/cli/known-schemas.js';
import { configSchema } from '../../src/config/schema.js';
import { rulesSchema } from '../../src/evaluate/load-rules.js';
import { FileInvalidError, type FileProblem } from '../../src/util/file-errors.js';
import { fromRoot } from '../../src/util/package-root.js';
import { stateSchemas } from '../../src/util/state-files.js';
import {
  compile,
  fromGenerated,
  generatedModules,
  newAjv,
  schemaKey,
  type SchemaEntry,
} from '../../src/util/validators.js';
import { loadYaml, YamlSource } from '../../src/util/yaml-file.js';

/**
 * The build's standalone validators, written here from this source tree (inside the project, so
 * that their `require("ajv/dist/runtime/…")` finds node_modules), by schema key.
 */
function standaloneValidators(entries: readonly SchemaEntry[]): Map<string, ValidateFunction> {
  mkdirSync(fromRoot('test', 'output'), { recursive: true });
  const dir = mkdtempSync(fromRoot('test', 'output', 'validators-'));
  const out = new Map<string, ValidateFunction>();
  for (const [key, code] of generatedModules(entries)) {
    const file = join(dir, `${key}.cjs`);
    writeFileSync(file, code);
    out.set(
      key,
      fromGenerated(
        file,
        entries.find((e) => schemaKey(e) === key)!,
      ),
    );
  }
  return out;
}

const entries = knownSchemas();
const standalone = standaloneValidators(entries);
/** The same schema, compiled by ajv now (what tests run from src/ use) and generated (what the build ships). */
function pair(entry: SchemaEntry): { generated: ValidateFunction; compiled: ValidateFunction } {
  const generated = standalone.get(schemaKey(entry));
  if (!generated) throw new Error('no generated validator');
  const compiled = compile(newAjv(entry.kind), entry.kind, entry.schema);
  return { generated, compiled };
}

/** What loading `text` against `validate` gives: the ajv errors and the file:line:col problems. */
function outcome(text: string, validate: ValidateFunction): { errors: unknown; problems: FileProblem[] } {
  try {
    loadYaml(new YamlSource('case.yaml', text), validate);
    return { errors: null, problems: [] };
  } catch (err) {
    if (!(err instanceof FileInvalidError)) throw err;
    return { errors: validate.errors ? structuredClone(validate.errors) : null, problems: err.problems };
  }
}

/** Values a mutation puts in place of a setting: wrong types, bad and out-of-range durations, URLs, dates. */
const ODD_VALUES = [
  null,
  0,
  -1,
  1.5,
  1e12,
  true,
  '',
  'x',
  '0',
  '0s',
  '5',
  '5s',
  '90s',
  '1h30m',
  '100d',
  '10 s',
  'https://example.com/hook',
  'not a url',
  'ftp://x',
  'http://127.0.0.1:99999',
  'http://256.0.0.1/',
  '2026-12-01T09:00:00Z',
  '2026-13-01',
  [],
  ['a'],
  {},
  { unknown_key: 1 },
];

type Data = Record<string | number, unknown>;
function paths(data: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (!data || typeof data !== 'object') return [at];
  const keys: (string | number)[] = Array.isArray(data) ? data.map((_, i) => i) : Object.keys(data);
  return [at, ...keys.flatMap((k) => paths((data as Data)[k], [...at, k]))];
}

/** Changes `data` at one of its paths: replaces a value, drops a setting or adds an unknown one. */
function mutate(data: unknown, pick: number, op: number, value: unknown): unknown {
  const all = paths(data);
  const path = all[pick % all.length]!;
  if (!path.length) return op === 0 ? value : data;
  const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Data)[k], data) as Data;
  const key = path.at(-1)!;
  if (op === 0) parent[key] = value;
  else if (op === 1 && !Array.isArray(parent)) delete parent[key];
  else if (op === 1) (parent as unknown as unknown[]).splice(Number(key), 1);
  else if (typeof parent[key] === 'object' && parent[key] && !Array.isArray(parent[key]))
    (parent[key] as Data)[`stray_${op}`] = value;
  else parent[key] = [value];
  return data;
}

/** A corpus of wrong files: each base file with one to three random mutations (fixed seed). */
function corpus(bases: readonly string[], count: number, seed: number): string[] {
  const mutation = fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(...ODD_VALUES));
  const cases = fc.sample(
    fc.tuple(fc.constantFrom(...bases), fc.array(mutation, { minLength: 1, maxLength: 3 })),
    { numRuns: count, seed },
  );
  return cases.map(([base, ms]) => {
    let data: unknown = parseYaml(base);
    for (const [pick, op, value] of ms) data = mutate(data, pick, op, structuredClone(value));
    return stringifyYaml(data);
  });
}

/** The same corpus through both validators: errors and messages the same, and most cases wrong. */
function compareOn(entry: SchemaEntry, files: readonly string[]): number {
  const { generated, compiled } = pair(entry);
  let wrong = 0;
  for (const text of files) {
    const a = outcome(text, generated);
    const b = outcome(text, compiled);
    expect(a, text).toEqual(b);
    if (a.problems.length) wrong++;
  }
  return wrong;
}

const read = (...p: string[]): string => readFileSync(fromRoot(...p), 'utf8');

describe('generated (standalone) validators give the same answers as ajv compiling the schema', () => {
  it('for 300 wrong configs: the same ajv errors and the same file:line:col messages', () => {
    const fixtures = readdirSync(fromRoot('test', 'fixtures', 'configs'))
      .filter((f) => f.endsWith('.yaml') && f !== 'bad-indent.yaml')
      .map((f) => read('test', 'fixtures', 'configs', f));
    const examples = readdirSync(fromRoot('docs', 'examples'))
      .filter((f) => f.endsWith('.yaml') && !f.includes('rules'))
      .map((f) => read('docs', 'examples', f));
    const bases = [read('config.example.yaml'), ...examples];
    const wrong = compareOn({ kind: 'files', schema: configSchema() }, [
      ...fixtures,
      ...corpus(bases, 300, 16),
    ]);
    expect(wrong).toBeGreaterThan(200);
  });

  it('for 300 wrong rule files: the same ajv errors and the same file:line:col messages', () => {
    const bases = [
      read('rules', 'default.yaml'),
      read('test', 'fixtures', 'configs', 'rules', 'latency.yaml'),
      read('docs', 'examples', 'host-audio.rules.yaml'),
    ];
    const wrong = compareOn({ kind: 'files', schema: rulesSchema() }, corpus(bases, 300, 5));
    expect(wrong).toBeGreaterThan(200);
  });

  it('for durations out of range and not durations at all (the durationRange keyword)', () => {
    const zoom = 'zoom:\n  account_id: a\n  client_id: c\n  client_secret: s\n';
    const values = ['0s', '9s', '10s', '1h', '61m', '1h1ms', '0', '5', 'abc', '1.5h', '10 s', '3600s'];
    const files = values.map((v) => `${zoom}poll:\n  min_interval: ${v}\n  max_interval: ${v}\n`);
    const { generated } = pair({ kind: 'files', schema: configSchema() });
    expect(compareOn({ kind: 'files', schema: configSchema() }, files)).toBe(9);
    expect(outcome(files[1]!, generated).problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([
      '6:17: found "9s"; expected a duration from 10s to 1h',
      '7:17: found "9s"; expected a duration from 10s to 24h',
    ]);
  });

  it("for random entries of every state file's schema", () => {
    const state = entries.filter((e) => e.kind === 'state');
    expect(state.length).toBeGreaterThanOrEqual(10);
    let wrong = 0;
    for (const entry of state) {
      const { generated, compiled } = pair(entry);
      for (const v of fc.sample(fc.anything(), { numRuns: 200, seed: 16 })) {
        const a = generated(v);
        expect([a, generated.errors]).toEqual([compiled(v), compiled.errors]);
        if (!a) wrong++;
      }
    }
    expect(wrong).toBeGreaterThan(1000);
  });
});

describe('the build generates every validator start-up needs', () => {
  it('every module that checks state entries registers its schemas with the build', () => {
    const callers = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory()
          ? callers(join(dir, d.name))
          : d.name.endsWith('.ts') && readFileSync(join(dir, d.name), 'utf8').includes('= entryCheck(')
            ? [join(dir, d.name).slice(fromRoot('src').length + 1)]
            : [],
      );
    const known = read('src', 'cli', 'known-schemas.ts');
    const found = callers(fromRoot('src'));
    expect(found.length).toBeGreaterThanOrEqual(4);
    for (const file of found) expect(known, file).toContain(`'../${file.replace(/\.ts$/, '.js')}'`);
    expect(stateSchemas().length).toBe(entries.filter((e) => e.kind === 'state').length);
  });

  it('dist/ (npm run build) holds a generated validator for each known schema', async () => {
    const built = (p: string): Promise<unknown> => import(pathToFileURL(fromRoot('dist', 'src', p)).href);
    const { knownSchemas: builtSchemas } = (await built('cli/known-schemas.js')) as {
      knownSchemas: () => SchemaEntry[];
    };
    const { isGenerated } = (await built('util/validators.js')) as {
      isGenerated: (kind: string, schema: object) => boolean;
    };
    const list = builtSchemas();
    expect(list.length).toBe(entries.length);
    for (const e of list) expect(isGenerated(e.kind, e.schema)).toBe(true);
    expect(isGenerated('files', { type: 'string', title: 'not known ahead' })).toBe(false);
  });
});
