import { isPair, isScalar, visit, type Scalar } from 'yaml';
import type { FileProblem } from './file-errors.js';
import { isSecretPath } from './secrets.js';
import type { YamlSource } from './yaml-source.js';

export type Env = Readonly<Record<string, string | undefined>>;

// A reference, `$$`, or a `${` that starts neither (unclosed, or not a name): refused.
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\$|\$\{/g;

/** What a `${` that starts no reference is told (docs/configuration.md, Environment and secrets). */
const BAD_REFERENCE =
  'a "${" that is not a complete variable reference (no closing "}", or no variable name); expected ${VAR}, ${VAR:-default}, or $$ for a literal $';

/**
 * Expands `${VAR}` and `${VAR:-default}` in one string; `$$` is a literal `$`. Returns the names
 * of variables that were unset and had no default, and where (the index of) each `${` is that
 * starts no reference (`${NOPE` unclosed, `${1X}`): those are left as written.
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
      if (fallback !== undefined) return fallback;
      unset.push(name!);
      return '';
    },
  );
  return { value, unset, malformed };
}

/** Where in the file character `at` of a scalar's value is: exact for plain and quoted one-line scalars. */
function offsetIn(node: Scalar, at: number): number {
  const start = node.range?.[0] ?? 0;
  if (node.type === 'PLAIN') return start + at;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return start + 1 + at;
  return start;
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
        problems.push({ file: src.file, ...src.at(offsetIn(node, at)), path: '', message: BAD_REFERENCE });
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
