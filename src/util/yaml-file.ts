import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Node } from 'yaml';
import { didYouMean } from './did-you-mean.js';
import { httpUrlProblem } from './http-url.js';
import { redactUrlValue } from './redact-url.js';
import { expectedOf, NUMBER_BOUNDS, numberRange, sizeWords, typeWords } from './schema-words.js';
import { hideSecretValues, SECRET_SHOWN } from './secret-values.js';
import { isSecretPath, kindOf } from './secrets.js';
import { KEY_EXCERPT_MAX, keyExcerpt, shownKey } from './shown-key.js';
import { FileInvalidError, type FileProblem } from './file-errors.js';
import { expandEnvInDocument, typedEnvValue, type Env } from './yaml-env.js';
import { formatPath, YamlSource } from './yaml-source.js';

export { MAX_CONFIG_FILE_BYTES, MAX_RULE_FILE_BYTES, YamlSource } from './yaml-source.js';

export interface YamlLoadOptions {
  /** Expand `${VAR}` and `${VAR:-default}` in string values from this environment. */
  env?: Env;
  /** Top-level settings whose unset environment variables are not errors (they are not used). */
  envOptional?: readonly string[];
  /** Unset environment variables in secret settings are not errors (no secret is used). */
  secretsOptional?: boolean;
}

export function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Longest value echoed in a message; longer ones are cut (a whole file read as one string, say). */
const ECHO_MAX = 60;

/**
 * A value as messages show it; a secret setting's value only as its kind, never its content, and
 * so a value equal to one of `secrets` (the file's secret values) wherever it is.
 */
function describe(
  value: unknown,
  path: readonly (string | number)[],
  secrets: ReadonlySet<string> = new Set(),
): string {
  if (isSecretPath(path)) {
    // An empty value says nothing of a secret: said as such.
    if (value === '') return 'an empty string';
    const hint = typeof value === 'number' || typeof value === 'boolean' ? ', quote it' : '';
    return `${kindOf(value)} (not shown: a secret setting${hint})`;
  }
  if ((typeof value === 'string' || typeof value === 'number') && secrets.has(String(value)))
    return `${kindOf(value)} ${SECRET_SHOWN}`;
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length ? 'a list' : 'an empty list';
  if (typeof value === 'object') return 'a mapping';
  if (!path.length) return `${kindOf(value)} where a mapping of settings should be`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  // The secrets within it hidden before the cut: one cut short is no longer found (`"... SUPERSECRETVALUE1…"`).
  const text = hideSecretValues(
    JSON.stringify(typeof value === 'string' ? redactUrlValue(value) : value),
    secrets,
  );
  return text.length > ECHO_MAX ? `${text.slice(0, ECHO_MAX - 1)}…"` : text;
}

/**
 * ajv reports an `anyOf` (a value or a list of values) with every branch's errors: "found a
 * list; expected string" beside the list's own problem. The branches whose type the value has
 * say what is wrong; when it has none of their types, one type error names them all ("found a
 * mapping; expected a string or a list").
 */
function anyOfErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  const add: ErrorObject[] = [];
  for (const a of errors.filter((e) => e.keyword === 'anyOf')) {
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      if (e === a || !e.schemaPath.startsWith(`${a.schemaPath}/`)) continue;
      if (e.instancePath !== a.instancePath && !e.instancePath.startsWith(`${a.instancePath}/`)) continue;
      const branch = e.schemaPath.slice(a.schemaPath.length + 1).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const typeError = (es: ErrorObject[]): ErrorObject | undefined =>
      es.find((e) => e.keyword === 'type' && e.instancePath === a.instancePath);
    const mismatched = [...branches.values()].filter((es) => typeError(es));
    if (!mismatched.length) continue;
    for (const es of mismatched) for (const e of es) drop.add(e);
    if (mismatched.length === branches.size) {
      const types = mismatched.map((es) => (typeError(es)!.params as { type: string }).type);
      add.push({ ...typeError(mismatched[0]!)!, params: { type: types.join(',') }, parentSchema: {} });
    }
  }
  return [...errors.filter((e) => !drop.has(e)), ...add];
}

/**
 * Turns ajv's errors into `file:line:col` problems that say what was found and what is expected,
 * in words for every keyword our schemas use (test/config/schema-words.test.ts), never ajv's.
 * `data` is what was validated, found in the file at the setting `at` (the whole file by default;
 * a notifier module's `options`, checked against the module's own schema once it is loaded).
 * Over 60 lines: one branch per ajv keyword, kept side by side so the messages read alike.
 */
// eslint-disable-next-line max-lines-per-function -- a table: one message per JSON Schema keyword
export function schemaProblems(
  src: YamlSource,
  errors: readonly ErrorObject[],
  data: unknown,
  at: readonly (string | number)[] = [],
  root?: unknown,
): FileProblem[] {
  const out: FileProblem[] = [];
  const secrets = src.secretValues();
  const show = (value: unknown, path: readonly (string | number)[]): string => describe(value, path, secrets);
  const seen = new Set<string>();
  // oneOf/anyOf report every branch; the first specific error at the deepest path says most.
  // propertyNames reports the name's own error (with its propertyName) first, then a summary.
  const specific = anyOfErrors(errors).filter(
    (e) => !['oneOf', 'anyOf', 'if', 'propertyNames'].includes(e.keyword),
  );
  // A URL setting's httpUrl problem says what is wrong; its format and pattern (for editors) add nothing.
  const urls = new Set(specific.filter((e) => e.keyword === 'httpUrl').map((e) => e.instancePath));
  const list = (specific.length ? specific : errors).filter(
    (e) => !(urls.has(e.instancePath) && (e.keyword === 'format' || e.keyword === 'pattern')),
  );
  for (const e of list) {
    const rel = pointerToPath(e.instancePath);
    const path = [...at, ...rel];
    const found = valueAt(data, rel);
    const size = sizeWords(e, found);
    // A secret's length is not said (its "found" is describe's "not shown"); what it takes is.
    if (size && isSecretPath(path)) size.found = show(found, path);
    let problem: FileProblem;
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      const hint = didYouMean(extra, allowed);
      problem = atKey(
        src,
        path,
        extra,
        `unknown setting "${keyExcerpt(extra)}"${hint ? ` (did you mean "${hint}"?)` : ''}; ${allowed.length ? `expected one of: ${allowed.join(', ')}` : 'expected no settings here'}`,
      );
    } else if (e.propertyName !== undefined) {
      // A name that propertyNames refuses: at the name, which is the wrong part.
      const name = isSecretPath(path)
        ? 'a name (not shown: a secret setting)'
        : `the name "${e.propertyName}"`;
      problem = atKey(
        src,
        path,
        e.propertyName,
        `found ${name}; expected ${customMessage(e) ?? 'another name'}`,
      );
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const parent = e.parentSchema as { properties?: Record<string, unknown> };
      // A schema that says nothing of it in words still names what is expected: the setting.
      const expected = expectedOf(parent.properties?.[missing], root ?? parent) ?? `a value for ${missing}`;
      problem = src.problemAt(path, `missing required setting "${missing}"; expected ${expected}`);
      problem.path = formatPath([...path, missing]);
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      problem = src.problemAt(path, `found ${show(found, path)}; expected one of ${allowed.join(', ')}`);
    } else if (e.keyword === 'const') {
      const want = JSON.stringify((e.params as { allowedValue: unknown }).allowedValue);
      problem = src.problemAt(path, `found ${show(found, path)}; expected ${want}`);
    } else if (e.keyword === 'durationRange') {
      const [min, max] = e.schema as [string, string];
      problem = src.problemAt(path, `found ${show(found, path)}; expected a duration from ${min} to ${max}`);
    } else if (e.keyword === 'httpUrl') {
      problem = src.problemAt(
        path,
        `found ${show(found, path)}, ${httpUrlProblem(String(found))}; expected ${customMessage(e) ?? 'an http(s) URL'}`,
      );
    } else if (
      !customMessage(e) &&
      (NUMBER_BOUNDS.has(e.keyword) ||
        (e.keyword === 'type' && typeof found === 'number' && !Number.isFinite(found)))
    ) {
      problem = src.problemAt(
        path,
        `found ${show(found, path)}; expected ${numberRange(e.parentSchema as object)}`,
      );
    } else if (e.keyword === 'type') {
      const custom = customMessage(e);
      const type = (e.params as { type: string }).type;
      const words = ['integer', 'number'].includes(type)
        ? numberRange(e.parentSchema as object)
        : typeWords(type);
      problem = src.problemAt(
        path,
        `found ${show(found, path)}; expected ${custom ? `${custom}${bareNumberHint(found, custom)}` : words}`,
      );
    } else if (e.keyword === 'format') {
      const format = (e.params as { format: string }).format;
      problem = src.problemAt(
        path,
        `found ${show(found, path)}; expected ${FORMATS[format] ?? `a value of format ${format}`}`,
      );
    } else if (e.keyword === 'uniqueItems') {
      // At the later of the two equal items, naming the earlier.
      const { i, j } = e.params as { i: number; j: number };
      const [first, again] = [Math.min(i, j), Math.max(i, j)];
      problem = src.problemAt(
        [...path, again],
        `found ${show(valueAt(found, [again]), [...path, again])} again (first at ${formatPath([...path, first])}); expected each value at most once`,
      );
    } else if (size && !customMessage(e)) {
      problem = src.problemAt(path, `found ${size.found}; expected ${size.expected}`);
    } else {
      const custom = customMessage(e);
      problem = src.problemAt(
        path,
        `found ${show(found, path)}; expected ${custom ?? size?.expected ?? `a value the schema takes (${e.keyword})`}`,
      );
    }
    const k = `${problem.line}:${problem.col}:${problem.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(problem);
    }
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

/**
 * A problem at the key `name` of the mapping at `path` (an unknown setting, a refused name), made
 * by YamlSource.problemAt as every problem is (its secrets hidden: a key may be a pasted secret).
 */
function atKey(
  src: YamlSource,
  path: readonly (string | number)[],
  name: string,
  message: string,
): FileProblem {
  const problem = src.problemAt([...path, name], message, true);
  // The key ends the path (unless it was hidden as a secret): quoted cut short there too.
  const shown = shownKey(name);
  if (shown.length > KEY_EXCERPT_MAX && problem.path.endsWith(shown))
    problem.path = problem.path.slice(0, -shown.length) + keyExcerpt(name);
  // At the key, or the `<<` that merges it into the mapping; a key the file does not write in
  // the mapping at all (`sources: *p`, an alias of another): at the mapping.
  const key = src.keyOf(path, name);
  const { line, col } = key?.range ? src.at(key.range[0]) : src.problemAt(path, '');
  return { ...problem, line, col };
}

/** What each string format of the schemas means, for people. */
const FORMATS: Record<string, string> = {
  'date-time':
    'a date and time such as "2026-12-01T09:00:00Z" (ISO 8601, with Z or an offset such as +01:00)',
  uri: 'a URL such as https://example.com/path',
};

/** A bare number where a duration is wanted (`for: 5`): say that it needs its unit. */
function bareNumberHint(found: unknown, expected: string): string {
  if (typeof found !== 'number' || !Number.isFinite(found) || !expected.includes('duration')) return '';
  return ` (a bare number has no unit: write ${found}s or ${found}m)`;
}

const customMessage = (e: ErrorObject): string | undefined =>
  (e.parentSchema as { errorMessage?: string } | undefined)?.errorMessage;

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = data;
  for (const seg of path)
    v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

/**
 * Reads a YAML file, expands environment references when asked, and validates it against
 * `validate`. Throws FileInvalidError with every problem at its `file:line:col`.
 */
export function loadYaml<T>(
  src: YamlSource,
  validate: ValidateFunction<T>,
  options: YamlLoadOptions = {},
): { value: T; source: YamlSource } {
  const read = readYaml(src, validate, options);
  if (read.problems.length) throw new FileInvalidError(read.problems);
  return { value: read.value as T, source: src };
}

/** A file's data and its schema problems, with the JSON pointers of the values they are about. */
export interface YamlRead {
  value: unknown;
  problems: FileProblem[];
  /** Each schema error's instancePath (`/rules/3/when`): what of the data is not as the schema says. */
  invalid: string[];
}

/**
 * As loadYaml, but the schema's problems are returned with the data instead of thrown, so that a
 * caller can go on with the parts the schema found nothing wrong with (a rule file's valid rules
 * are compiled, and their problems reported in the same run). YAML syntax and environment
 * problems still throw: there is no data then.
 */
export function readYaml(
  src: YamlSource,
  validate: ValidateFunction,
  options: YamlLoadOptions = {},
): YamlRead {
  const syntax = src.syntaxProblems();
  if (syntax.length) throw new FileInvalidError(syntax);
  const { problems, unbuilt, expanded } = options.env
    ? expandEnvInDocument(src, options.env, options.envOptional, options.secretsOptional)
    : { problems: [], unbuilt: 0, expanded: new Set<Node>() };
  if (problems.length) throw new FileInvalidError(problems, unbuilt);
  const data: unknown = src.toData() ?? {};
  if (validate(data) || (expanded.size && typeEnvValues(src, expanded, validate, data)))
    return { value: data, problems: [], invalid: [] };
  const errors = validate.errors ?? [];
  return {
    value: data,
    problems: schemaProblems(src, errors, data, [], validate.schema),
    invalid: errors.map((e) => e.instancePath),
  };
}

/**
 * Where the schema wanted a number, integer or boolean and found text that came from the
 * environment, reads the text as that type and validates again. True when the data is valid then.
 */
function typeEnvValues(
  src: YamlSource,
  expanded: ReadonlySet<Node>,
  validate: ValidateFunction,
  data: unknown,
): boolean {
  let changed = false;
  for (const e of validate.errors ?? []) {
    if (e.keyword !== 'type') continue;
    const path = pointerToPath(e.instancePath);
    const { node, depth } = src.nodeAt(path);
    if (depth !== path.length || !node || !expanded.has(node)) continue;
    const parent = valueAt(data, path.slice(0, -1)) as Record<string | number, unknown> | undefined;
    const last = path.at(-1);
    const text = last !== undefined ? parent?.[last] : undefined;
    if (typeof text !== 'string') continue;
    for (const type of (e.params as { type: string }).type.split(',')) {
      const v = typedEnvValue(text, type);
      if (v !== undefined) {
        parent![last!] = v;
        changed = true;
        break;
      }
    }
  }
  return changed && validate(data);
}
