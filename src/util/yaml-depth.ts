import { isMap, isPair, isSeq, type Document, type YAMLError } from 'yaml';

/**
 * Deepest nesting of lists and mappings taken in a file read from a user. A qoswatch config is
 * three levels deep (zoom.limits.heavy_per_second), a rule or a scenario some more; 2,000 levels
 * made the yaml package's composer run out of stack, said as "Maximum call stack size exceeded".
 */
export const MAX_YAML_DEPTH = 64;

export const TOO_DEEP = `lists and mappings nested deeper than ${MAX_YAML_DEPTH} levels; expected a few levels (a qoswatch config, rule, test or scenario file nests at most about ten)`;

/** The first node nested deeper than `left` more levels, or undefined; it looks no deeper than that. */
function deeper(node: unknown, left: number): { range?: [number, number, number] | null } | undefined {
  if (!isMap(node) && !isSeq(node)) return undefined;
  if (left <= 0) return node;
  for (const item of node.items) {
    const found = isPair(item)
      ? (deeper(item.key, left - 1) ?? deeper(item.value, left - 1))
      : deeper(item, left - 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Where the document nests deeper than MAX_YAML_DEPTH: the offset of the first list or mapping
 * past it, else of a stack overflow of the yaml package (it has no depth option; it catches the
 * overflow as RESOURCE_EXHAUSTION and goes on). Undefined when it does not, or when other
 * syntax errors are to be said first.
 */
export function tooDeepAt(doc: Document, errors: readonly YAMLError[]): number | undefined {
  const overflow = errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  // Other syntax errors first: an unclosed bracket nests all that follows it.
  if (!overflow && errors.length) return undefined;
  // The composer keeps the levels above an overflow: the first one too deep is found in them.
  const node = deeper(doc.contents, MAX_YAML_DEPTH);
  if (node) return node.range?.[0] ?? 0;
  return overflow?.pos[0];
}
