import { isPair, isScalar, visit, type Scalar } from 'yaml';
import { MAX_PROBLEMS_SHOWN, type FileProblem } from './file-errors.js';
import { isSecretPath } from './secrets.js';
import type { YamlSource } from './yaml-source.js';

export type Env = Readonly<Record<string, string | undefined>>;

// A reference, `$$`, or a `${` that starts neither (unclosed, not a name, another form): refused.
// A default is plain text, where `$$` is a literal `$` as anywhere (`${X:-a$${b}`: `a${b`): a
// "${" in it is no reference but the outer one left unclosed. A `$` before a `$` is only ever the
// escape's first (`$(?![{$])`): read either way, an unclosed default of n `$`s took 2^n tries.
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^}$]|\$\$|\$(?![{$]))*))?\}|\$\$|\$\{/g;

/**
 * Where the first `${` of `text` at or after `from` is that is no escaped `$` (`$${`) followed by
 * `{`; -1 when none. `from` starts a run of `$` or is no `$`: a run's `$`s pair from its start.
 */
function firstReference(text: string, from: number): number {
  for (let i = text.indexOf('$', from); i >= 0; i = text.indexOf('$', i + 1)) {
    if (text[i + 1] === '{') return i;
    if (text[i + 1] === '$') i++;
  }
  return -1;
}

/**
 * `find` (the first place at or after `from` where something is, -1 when none) for `from`s that
 * only grow: an answer still ahead of `from` is the answer again, and none stays none. Each call
 * looks only past the last answer, so all of them together read the text once.
 */
function ahead(find: (from: number) => number): (from: number) => number {
  let found = -2;
  return (from) => {
    if (found === -1) return -1;
    if (found < from) found = find(from);
    return found;
  };
}

const EXPECTED = 'expected ${VAR}, ${VAR:-default}, or $$ for a literal $';

/** A variable's name after a `${`, read from where lastIndex is put. */
const NAME_AT = /\$\{([A-Za-z_][A-Za-z0-9_]*)/y;

/**
 * What each `${` of `text` at the indexes `ats` (ascending) that starts no reference is told
 * (docs/configuration.md, Environment and secrets). Only the variable's name is quoted: the rest
 * may be a secret. Linear in the text however many there are: it read the rest of the text from
 * each (the next "}" and "${"), so a value of 1 MiB of `${A` took hours.
 */
function badReferences(text: string, ats: readonly number[]): string[] {
  const close = ahead((from) => text.indexOf('}', from));
  const reference = ahead((from) => firstReference(text, from));
  return ats.map((at) => {
    NAME_AT.lastIndex = at;
    const name = NAME_AT.exec(text);
    if (!name) return `a "\${" with no variable name after it; ${EXPECTED}`;
    // After a name's last letter: a run of `$` starts here, or none does (firstReference).
    const after = at + name[0].length;
    const end = close(after);
    const inner = reference(after);
    if (text.startsWith(':-', after) && inner >= 0 && (end < 0 || inner < end))
      return `a "\${${name[1]}:-" whose default holds another "\${" (a default is plain text: references do not nest); ${EXPECTED}`;
    if (end < 0) return `a "\${${name[1]}" with no closing "}"; ${EXPECTED}`;
    return `a reference to ${name[1]} in an unsupported form (only ":-" may follow the name); ${EXPECTED}`;
  });
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

/**
 * Where in the file each `${` at the indexes `ats` (ascending) of a scalar's value is: the same
 * `${` counted in the scalar's source (escapes, folding and a block scalar's indentation change
 * other characters, never a "${"), the k-th of the value at the k-th of the source; the scalar's
 * start when the source has fewer. A block scalar's header line (`|`, `>-`, a comment) is not its
 * value. One pass over both: counting again from the start for each made it quadratic.
 */
function offsetsIn(node: Scalar, ats: readonly number[], text: string): number[] {
  const [start, end] = node.range ?? [0, 0];
  const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  const from = block ? text.indexOf('\n', start) + 1 : start;
  const source = from > 0 || !block ? text.slice(from, end) : '';
  const value = String(node.value);
  let v = value.indexOf('${');
  let s = source.indexOf('${');
  return ats.map((at) => {
    while (v >= 0 && v < at) {
      v = value.indexOf('${', v + 2);
      if (s >= 0) s = source.indexOf('${', s + 2);
    }
    return v === at && s >= 0 ? from + s : start;
  });
}

/** The setting names leading to a scalar (list indexes left out): what isSecretPath reads. */
const keysOf = (path: readonly unknown[]): string[] =>
  path.filter(isPair).map((p) => (isScalar(p.key) ? String(p.key.value) : ''));

export interface Expansion {
  /** The first MAX_PROBLEMS_SHOWN problems, in the order of the file. */
  problems: FileProblem[];
  /** How many more there are: counted, not built (FileInvalidError's `unbuilt`). */
  unbuilt: number;
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
  let unbuilt = 0;
  /** The first of `found` that are still to be shown; the rest counted only. */
  const toBuild = <T>(found: readonly T[]): readonly T[] => {
    const built = found.slice(0, Math.max(0, MAX_PROBLEMS_SHOWN - problems.length));
    unbuilt += found.length - built.length;
    return built;
  };
  const expanded = new Set<Scalar>();
  visit(src.doc, {
    Scalar(key, node, path) {
      if (key === 'key' || !isScalar(node) || typeof node.value !== 'string' || !node.value.includes('$'))
        return;
      const { value, unset, malformed } = expandEnv(node.value, env);
      const built = toBuild(malformed);
      const said = badReferences(node.value, built);
      offsetsIn(node, built, src.text).forEach((offset, i) =>
        problems.push({ file: src.file, ...src.at(offset), path: '', message: said[i]! }),
      );
      const top = path[2];
      const section = isPair(top) && isScalar(top.key) ? String(top.key.value) : '';
      // Unused here: left as written, so that the rest of the file can still be checked.
      if (unset.length && ignoreSections.includes(section)) return;
      if (unset.length && ignoreSecrets && isSecretPath(keysOf(path))) return;
      for (const name of toBuild(unset)) {
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
  return { problems, unbuilt, expanded };
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
