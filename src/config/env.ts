import { isScalar, visit } from 'yaml';
import type { FileProblem } from './errors.js';
import type { YamlSource } from './yaml-file.js';

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

/** Expands references in every string scalar of the document in place; problems point at the scalar. */
export function expandEnvInDocument(src: YamlSource, env: Env): FileProblem[] {
  const problems: FileProblem[] = [];
  visit(src.doc, {
    Scalar(key, node) {
      if (key === 'key' || !isScalar(node) || typeof node.value !== 'string' || !node.value.includes('$'))
        return;
      const { value, unset } = expandEnv(node.value, env);
      for (const name of unset) {
        problems.push({
          file: src.file,
          ...src.at(node.range?.[0] ?? 0),
          path: '',
          message: `environment variable ${name} is not set; set it, or write \${${name}:-default}`,
        });
      }
      node.value = value;
    },
  });
  return problems;
}
