import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Node } from 'yaml';
import { didYouMean } from './did-you-mean.js';
import { httpUrlProblem } from './http-url.js';
import { redactUrlValue } from './redact-url.js';
import { isSecretPath, kindOf } from './secrets.js';
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

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Longest value echoed in a message; longer ones are cut (a whole file read as one string, say). */
const ECHO_MAX = 60;

/** A value as messages show it; a secret setting's value only as its kind, never its content. */
function describe(value: unknown, path: readonly (string | number)[]): string {
  if (isSecretPath(path)) {
    const hint = typeof value === 'number' || typeof value === 'boolean' ? ', quote it' : '';
    return `${kindOf(value)} (not shown: a secret setting${hint})`;
  }
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (!path.length) return `${kindOf(value)} where a mapping of settings should be`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(typeof value === 'string' ? redactUrlValue(value) : value);
  return text.length > ECHO_MAX ? `${text.slice(0, ECHO_MAX - 1)}…"` : text;
}

/**
 * Turns ajv's errors into `file:line:col` problems that say what was found and what is expected.
 * Over 60 lines: one branch per ajv keyword, kept side by side so the messages read alike.
 */
// eslint-disable-next-line max-lines-per-function -- a table: one message per JSON Schema keyword
export function schemaProblems(
  src: YamlSource,
  errors: readonly ErrorObject[],
  data: unknown,
): FileProblem[] {
  const out: FileProblem[] = [];
  const seen = new Set<string>();
  // oneOf/anyOf report every branch; the first specific error at the deepest path says most.
  const specific = errors.filter((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  // A URL setting's httpUrl problem says what is wrong; its format and pattern (for editors) add nothing.
  const urls = new Set(specific.filter((e) => e.keyword === 'httpUrl').map((e) => e.instancePath));
  const list = (specific.length ? specific : errors).filter(
    (e) => !(urls.has(e.instancePath) && (e.keyword === 'format' || e.keyword === 'pattern')),
  );
  for (const e of list) {
    const path = pointerToPath(e.instancePath);
    const found = valueAt(data, path);
    let problem: FileProblem;
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      const hint = didYouMean(extra, allowed);
      const keyNode = src.keyOf(path, extra);
      const where = keyNode?.range ? src.at(keyNode.range[0]) : src.problemAt(path, '');
      problem = {
        file: src.file,
        line: where.line,
        col: where.col,
        path: formatPath([...path, extra]),
        message: `unknown setting "${extra}"; ${hint ? `did you mean "${hint}"?` : `expected one of: ${allowed.join(', ')}`}`,
      };
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      problem = src.problemAt(path, `missing required setting "${missing}"`);
      problem.path = formatPath([...path, missing]);
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      problem = src.problemAt(path, `found ${describe(found, path)}; expected one of ${allowed.join(', ')}`);
    } else if (e.keyword === 'durationRange') {
      const [min, max] = e.schema as [string, string];
      problem = src.problemAt(
        path,
        `found ${describe(found, path)}; expected a duration from ${min} to ${max}`,
      );
    } else if (e.keyword === 'httpUrl') {
      problem = src.problemAt(
        path,
        `found ${describe(found, path)}, ${httpUrlProblem(String(found))}; expected ${customMessage(e) ?? 'an http(s) URL'}`,
      );
    } else if (
      !customMessage(e) &&
      (['minimum', 'maximum'].includes(e.keyword) ||
        (e.keyword === 'type' && typeof found === 'number' && !Number.isFinite(found)))
    ) {
      problem = src.problemAt(path, `found ${describe(found, path)}; expected ${numberRange(e)}`);
    } else if (e.keyword === 'type') {
      const custom = customMessage(e);
      problem = src.problemAt(
        path,
        `found ${describe(found, path)}; expected ${custom ? `${custom}${bareNumberHint(found, custom)}` : (e.params as { type: string }).type}`,
      );
    } else if (e.keyword === 'format') {
      const format = (e.params as { format: string }).format;
      problem = src.problemAt(
        path,
        `found ${describe(found, path)}; expected ${FORMATS[format] ?? `a value of format ${format}`}`,
      );
    } else {
      const custom = customMessage(e);
      problem = src.problemAt(
        path,
        `found ${describe(found, path)}; expected ${custom ?? e.message ?? 'a valid value'}`,
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

/** `a whole number from 1 to 64`, from the schema of a number setting. */
function numberRange(e: ErrorObject): string {
  const ps = e.parentSchema as { type?: string; minimum?: number; maximum?: number };
  const kind = ps.type === 'integer' ? 'a whole number' : 'a finite number';
  if (ps.minimum !== undefined && ps.maximum !== undefined)
    return `${kind} from ${ps.minimum} to ${ps.maximum}`;
  if (ps.maximum !== undefined) return `${kind} of at most ${ps.maximum}`;
  if (ps.minimum !== undefined) return `${kind} of at least ${ps.minimum}`;
  return kind;
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
  const syntax = src.syntaxProblems();
  if (syntax.length) throw new FileInvalidError(syntax);
  const { problems, expanded } = options.env
    ? expandEnvInDocument(src, options.env, options.envOptional, options.secretsOptional)
    : { problems: [], expanded: new Set<Node>() };
  if (problems.length) throw new FileInvalidError(problems);
  const data: unknown = src.toData() ?? {};
  if (!validate(data) && !(expanded.size && typeEnvValues(src, expanded, validate, data)))
    throw new FileInvalidError(schemaProblems(src, validate.errors ?? [], data));
  return { value: data as T, source: src };
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
