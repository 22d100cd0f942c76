import { isPair, isScalar, visit, type Scalar } from 'yaml';
import type { FileProblem } from './file-errors.js';
import { isSecretPath } from './secrets.js';
import type { YamlSource } from './yaml-source.js';

export type Env = Readonly<Record<string, string | undefined>>;

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\$/g;

/**
 * Expands `${VAR}` and `${VAR:-default}` in one string; `$$` is a literal `$`.
 * Returns the names of variables that were unset and had no default.
 */
export function expandEnv(text: string, env: Env): { value: string; unset: string[] } {
  const unset: string[] = [];
  const value = text.replace(REF, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$$') return '$';
    const v = env[name!];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    unset.push(name!);
    return '';
  });
  return { value, unset };
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
      const { value, unset } = expandEnv(node.value, env);
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
