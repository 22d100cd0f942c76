import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as AjvModule from 'ajv';
import type { Ajv, CodeKeywordDefinition, KeywordCxt, Options, ValidateFunction } from 'ajv';
import type * as CodeModule from 'ajv/dist/compile/codegen/code.js';
import { parseDuration } from './duration.js';
import { httpUrlProblem } from './http-url.js';

/**
 * JSON Schema validators without compiling schemas at start-up. `npm run build` writes every
 * schema qoswatch knows ahead of time (config, rules, rule tests, scenarios, state files) as
 * ajv standalone code, one module per schema in `generated-validators/` beside this module's built
 * file (src/cli/build-validators.ts); a validator is taken from there by its schema's key. Where
 * there is no generated module (tests run from src/) or no entry for a schema (a notifier
 * module's options, a schema changed since the build), ajv is loaded and compiles it, with the
 * same options and keywords, so both give the same errors (test/util/validators.test.ts).
 */

const require = createRequire(import.meta.url);

/**
 * How a schema is checked: `files` people write (every error, with its schema and data, for
 * `file:line:col` messages), `state` files qoswatch wrote (the first error).
 */
export type ValidatorKind = 'files' | 'state';

const OPTIONS: Record<ValidatorKind, Options> = {
  // Refs stay functions of their own (see compile): the rules' validator is 54 KB, not 178 KB.
  files: { allErrors: true, verbose: true, strict: true, allowUnionTypes: true, inlineRefs: false },
  state: { allErrors: false, strict: true, allowUnionTypes: true },
};

/** The build's generated validators, one module per schema key, beside this module once built. */
export const GENERATED_DIR = 'generated-validators';

/** A schema to generate a validator for, and how it is checked. */
export interface SchemaEntry {
  kind: ValidatorKind;
  schema: object;
}

/** A schema's key: the same schema checked the same way has the same key at build and at run time. */
export function schemaKey({ kind, schema }: SchemaEntry): string {
  return createHash('sha256')
    .update(`${kind}\n${JSON.stringify(schema)}`)
    .digest('base64url');
}

/** Where the build writes the generated validator of a schema with this key. */
// `../util/`: the same folder seen from dist/src/util/ (tsc's output) and from dist/src/chunks/
// (the bundle's, rolldown.config.ts); under src/util/ it does not exist.
export const generatedFile = (
  key: string,
  dir = new URL(`../util/${GENERATED_DIR}/`, import.meta.url),
): string => fileURLToPath(new URL(`${key}.cjs`, dir));

const made = new Map<string, ValidateFunction>();

/**
 * The validator of `schema`: the build's generated one when it has this schema, else compiled
 * now by ajv (loaded then, with ajv-formats for `files`).
 */
export function validator<T>(kind: ValidatorKind, schema: object): ValidateFunction<T> {
  const key = schemaKey({ kind, schema });
  let v = made.get(key);
  if (!v) {
    const file = generatedFile(key);
    v = existsSync(file) ? fromGenerated(file, { kind, schema }) : compile(compiler(kind), kind, schema);
    made.set(key, v);
  }
  return v as ValidateFunction<T>;
}

/**
 * A generated module's validator, given the schema it was compiled from (as compile's has it): the
 * module carries none, and problems read the `$ref`s in it (util/yaml-file.ts schemaProblems).
 */
export function fromGenerated(file: string, { kind, schema }: SchemaEntry): ValidateFunction {
  const v = require(file) as ValidateFunction;
  v.schema ??= kind === 'files' ? splitSettings(schema) : schema;
  return v;
}

/**
 * Whether the build generated the validator of `schema` (so that start-up compiles nothing).
 * @public test/util/validators.test.ts imports it from the build (dist/), which knip does not see.
 */
export const isGenerated = (kind: ValidatorKind, schema: object): boolean =>
  existsSync(generatedFile(schemaKey({ kind, schema })));

/**
 * Compiles `schema` as qoswatch checks it. A file's schema has each top-level setting's schema
 * moved to a definition of its own and referenced there: refs are not inlined (OPTIONS), so each
 * setting is a function of its own in the generated code, and V8 compiles, on the first call,
 * only the functions of the settings the file has. The config's validator as one 260 KB
 * function took 57–100 ms to its first answer on a loaded 2-core machine; split, 8–12 ms. The
 * errors say the same (instancePath, keyword, params, schema, parentSchema); only schemaPath
 * names the definition.
 */
export function compile(ajv: Ajv, kind: ValidatorKind, schema: object): ValidateFunction {
  return ajv.compile(kind === 'files' ? splitSettings(schema) : schema);
}

interface ObjectSchema {
  properties?: Record<string, unknown>;
  definitions?: Record<string, unknown>;
}

function splitSettings(schema: object): object {
  const { properties, definitions = {} } = schema as ObjectSchema;
  if (!properties) return schema;
  const defs: Record<string, unknown> = { ...definitions };
  const props: Record<string, unknown> = {};
  for (const [name, sub] of Object.entries(properties)) {
    if (!sub || typeof sub !== 'object' || '$ref' in sub) {
      props[name] = sub;
      continue;
    }
    const def = `setting:${name}`;
    defs[def] = sub;
    props[name] = { $ref: `#/definitions/${def.replace(/~/g, '~0').replace(/\//g, '~1')}` };
  }
  return { ...schema, definitions: defs, properties: props };
}

const compilers = new Map<ValidatorKind, Ajv>();
function compiler(kind: ValidatorKind): Ajv {
  let a = compilers.get(kind);
  if (!a) {
    a = newAjv(kind);
    compilers.set(kind, a);
  }
  return a;
}

/**
 * An ajv instance for `kind`, with qoswatch's keywords and (for `files`) formats. `source` keeps
 * each compiled function's code, for standalone modules.
 */
export function newAjv(kind: ValidatorKind, source = false): Ajv {
  const lib = require('ajv') as typeof AjvModule;
  const ajv = new lib.Ajv({ ...OPTIONS[kind], code: { source } });
  if (kind === 'files') {
    // Our schemas may say in words what a value should look like; ajv only carries it.
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
    ajv.addKeyword(durationRange(lib));
    ajv.addKeyword(httpUrl(lib));
    // Sets ajv's code.formats too: generated code requires ajv-formats/dist/formats (not ajv).
    (require('ajv-formats') as (a: Ajv) => Ajv)(ajv);
    ajv.addFormat('uri', URI);
  }
  return ajv;
}

/**
 * `format: uri`: a scheme, then no whitespace and none of the characters a URL never holds
 * unescaped (ajv-formats' fast pattern, stricter by those characters). ajv-formats' full RFC
 * 3986 pattern took 20-40 ms of CPU to compile at its first use, on every start-up that read a
 * config (issue 16). Every URL setting of ours has the `httpUrl` keyword as well (util/http-url.ts).
 */
const URI = /^[a-z][a-z0-9+.-]*:[^\s"<>\\^`{|}]*$/i;

/**
 * A function of ours that a keyword's code calls: by reference when ajv compiles, by its own text
 * in a standalone validator (so it must use nothing but globals).
 */
function ownFunction(cxt: KeywordCxt, fn: (text: string) => unknown): AjvModule.Name {
  const { _Code } = require('ajv/dist/compile/codegen/code.js') as typeof CodeModule;
  return cxt.gen.scopeValue('func', { ref: fn, code: new _Code(fn.toString()) });
}

/**
 * `durationRange: [min, max]` bounds a duration string: no zero intervals, no timers that
 * overflow. A string that is not a duration passes (the duration pattern reports it). Defined by
 * the code it generates, so that standalone validators carry it: parseDuration's own text goes
 * into the generated module.
 */
function durationRange(lib: typeof AjvModule): CodeKeywordDefinition {
  const { _ } = lib;
  return {
    keyword: 'durationRange',
    schemaType: 'array',
    code(cxt: KeywordCxt) {
      const [min, max] = (cxt.schema as [string, string]).map((d) => parseDuration(d));
      if (min === undefined || max === undefined)
        throw new Error(`durationRange: ${JSON.stringify(cxt.schema)} is not two durations`);
      const parse = ownFunction(cxt, parseDuration);
      const ms = cxt.gen.let('ms');
      cxt.fail(
        _`typeof ${cxt.data} == "string" && (${ms} = ${parse}(${cxt.data})) !== undefined && (${ms} < ${min} || ${ms} > ${max})`,
      );
    },
  };
}

/**
 * `httpUrl: true`: a string setting qoswatch fetches or posts to must be an http(s) URL that
 * httpUrlProblem finds nothing wrong with (util/http-url.ts).
 */
const httpUrl = ({ _ }: typeof AjvModule): CodeKeywordDefinition => ({
  keyword: 'httpUrl',
  schemaType: 'boolean',
  code: (cxt: KeywordCxt) =>
    cxt.schema === true &&
    cxt.fail(
      _`typeof ${cxt.data} == "string" && ${ownFunction(cxt, httpUrlProblem)}(${cxt.data}) !== undefined`,
    ),
});

/** Each schema's ajv standalone validator (a CommonJS module's text), by schema key. */
export function generatedModules(entries: readonly SchemaEntry[]): Map<string, string> {
  const standalone = (
    require('ajv/dist/standalone/index.js') as { default: (a: Ajv, v: ValidateFunction) => string }
  ).default;
  const ajvs = new Map<ValidatorKind, Ajv>();
  const out = new Map<string, string>();
  for (const entry of entries) {
    const key = schemaKey(entry);
    if (out.has(key)) continue;
    let a = ajvs.get(entry.kind);
    if (!a) {
      a = newAjv(entry.kind, true);
      ajvs.set(entry.kind, a);
    }
    out.set(key, standalone(a, compile(a, entry.kind, entry.schema)));
  }
  return out;
}
