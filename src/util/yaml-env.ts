import { isPair, isScalar, visit, type Scalar } from 'yaml';
import type { FileProblem } from './file-errors.js';
import { isSecretPath } from './secrets.js';
import type { YamlSource } from './yaml-source.js';

export type Env = Readonly<Record<string, string | undefined>>;

// A reference, `$$`, or a `${` that starts neither (unclosed, not a name, another form): refused.
// A default is plain text, where `$$` is a literal `$` as anywhere (`${X:-a$${b}`: `a${b`): a
// "${" in it is no reference but the outer one left unclosed. A `$` before a `$` is only ever the
// escape's first (`$(?![{$])`): read either way, an unclosed default of n `$`s took 2^n tries.
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^}$]|\$\$|\$(?![{$]))*))?\}|\$\$|\$\{/g;

/** Where the first `${` of `text` is that is no escaped `$` (`$${`) followed by `{`; -1 when none. */
function firstReference(text: string): number {
  for (let i = text.indexOf('$'); i >= 0; i = text.indexOf('$', i + 1)) {
    if (text[i + 1] === '{') return i;
    if (text[i + 1] === '$') i++;
  }
  return -1;
}

const EXPECTED = 'expected ${VAR}, ${VAR:-default}, or $$ for a literal $';

/**
 * What a `${` that starts no reference is told, from the text at it (docs/configuration.md,
 * Environment and secrets). Only the variable's name is quoted: the rest may be a secret.
 */
function badReference(rest: string): string {
  const name = /^\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
  if (!name) return `a "\${" with no variable name after it; ${EXPECTED}`;
  const after = rest.slice(name[0].length);
  const close = after.indexOf('}');
  const inner = firstReference(after);
  if (after.startsWith(':-') && inner >= 0 && (close < 0 || inner < close))
    return `a "\${${name[1]}:-" whose default holds another "\${" (a default is plain text: references do not nest); ${EXPECTED}`;
  if (close < 0) return `a "\${${name[1]}" with no closing "}"; ${EXPECTED}`;
  return `a reference to ${name[1]} in an unsupported form (only ":-" may follow the name); ${EXPECTED}`;
}

/**
 * Expands `${VAR}` and `${VAR:-default}` in one string; `$$` is a literal `$`. Returns the names
 * of variables that were unset and had no default, and where (the index of) each `${` is that
 * starts no reference (`${NOPE` unclosed, `${1X}`, `${X:?msg}`, `${X:-${Y}`): those are left as
 * written.
 */
export function expandEnv(text: string, env: Env): { value: string; unset: string[]; malformed: number[] } {
  const unset: string[] = [];
  const malformed: number[] = [];
  const value = text.replace(
    REF,
    (whole: string, name: string | undefined, fallback: string | undefined, at: number) => {
      if (whole === '$$') return '$';
      if (whole === '${') {
        malformed.push(at);
        return whole;
      }
      const v = env[name!];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback.replaceAll('$$', '$');
      unset.push(name!);
      return '';
    },
  );
  return { value, unset, malformed };
}

/** How many times `needle` occurs in `text` before index `end`. */
function countBefore(text: string, needle: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0 && i < end; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * Where in the file the `${` at index `at` of a scalar's value is: the same `${` counted in the
 * scalar's source (escapes, folding and a block scalar's indentation change other characters, never
 * a "${"). A block scalar's header line (`|`, `>-`, a comment) is not its value.
 */
function offsetIn(node: Scalar, at: number, text: string): number {
  const [start, end] = node.range ?? [0, 0];
  const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  const from = block ? text.indexOf('\n', start) + 1 : start;
  const source = from > 0 || !block ? text.slice(from, end) : '';
  let i = -1;
  for (let k = countBefore(String(node.value), '${', at); k >= 0; k--) {
    i = source.indexOf('${', i + 1);
    if (i < 0) return start;
  }
  return from + i;
}

/** The setting names leading to a scalar (list indexes left out): what isSecretPath reads. */
const keysOf = (path: readonly unknown[]): string[] =>
  path.filter(isPair).map((p) => (isScalar(p.key) ? String(p.key.value) : ''));

export interface Expansion {
  problems: FileProblem[];
  /** The scalars whose value came from the environment: they may be typed by the schema. */
  expanded: Set<Scalar>;
}

/**
 * Expands references in every string scalar of the document in place; problems point at the
 * scalar. `ignoreSections` lists top-level settings whose unset variables are not problems (a
 * command that reads only part of the file, such as notify-test); with `ignoreSecrets`, unset
 * variables in secret settings are not problems either (a command that sends nothing: routes).
 */
export function expandEnvInDocument(
  src: YamlSource,
  env: Env,
  ignoreSections: readonly string[] = [],
  ignoreSecrets = false,
): Expansion {
  const problems: FileProblem[] = [];
  const expanded = new Set<Scalar>();
  visit(src.doc, {
    Scalar(key, node, path) {
      if (key === 'key' || !isScalar(node) || typeof node.value !== 'string' || !node.value.includes('$'))
        return;
      const { value, unset, malformed } = expandEnv(node.value, env);
      for (const at of malformed)
        problems.push({
          file: src.file,
          ...src.at(offsetIn(node, at, src.text)),
          path: '',
          message: badReference(node.value.slice(at)),
        });
      const top = path[2];
      const section = isPair(top) && isScalar(top.key) ? String(top.key.value) : '';
      // Unused here: left as written, so that the rest of the file can still be checked.
      if (unset.length && ignoreSections.includes(section)) return;
      if (unset.length && ignoreSecrets && isSecretPath(keysOf(path))) return;
      for (const name of unset) {
        problems.push({
          file: src.file,
          ...src.at(node.range?.[0] ?? 0),
          path: '',
          message:
            env[name] === ''
              ? `environment variable ${name} is set but empty; give it a value, or write \${${name}:-default}`
              : `environment variable ${name} is not set; set it, or write \${${name}:-default}`,
        });
      }
      if (value !== node.value) expanded.add(node);
      node.value = value;
    },
  });
  return { problems, expanded };
}

/**
 * A value from the environment is text; where the schema expects a number, an integer or a
 * boolean, text that spells one is read as one (`port: ${SMTP_PORT:-2525}`).
 */
export function typedEnvValue(text: string, type: string): unknown {
  const t = text.trim();
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) {
    const n = Number(t);
    if (type === 'number' || Number.isInteger(n)) return n;
  }
  if (type === 'boolean' && /^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  return undefined;
}
