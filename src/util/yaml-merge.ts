import { isAlias, isMap, isScalar, isSeq, visit, type Document, type Node, type Pair } from 'yaml';

/**
 * YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`): the yaml package merges them when the
 * document is parsed with `merge: true`; these find where a merged key is written, and the first
 * `<<` whose value cannot be merged.
 */

/** A `<<` key as the yaml package reads it with `merge: true` (a quoted "<<" is a plain key). */
export function isMergePair(pair: Pair): boolean {
  const v = isScalar(pair.key) ? pair.key.value : undefined;
  return typeof v === 'symbol' && v.description === '<<';
}

/** The mappings a `<<` value merges, in the order they take precedence (aliases resolved). */
function sources(doc: Document, value: unknown): unknown[] {
  const items = isSeq(value) ? value.items : [value];
  return items.map((v) => (isAlias(v) ? v.resolve(doc) : v));
}

/**
 * The pair of `key` in the mapping `map`: its own, else the one a `<<` in it merges (the first of
 * a list of sources that has it, through `<<`s of those too), as the yaml package merges them.
 */
export function pairOf(doc: Document, map: Node, key: string, depth = 0): Pair | undefined {
  if (!isMap(map)) return undefined;
  const own = map.items.find((p) => !isMergePair(p) && isScalar(p.key) && String(p.key.value) === key);
  if (own || depth > 10) return own;
  for (const merge of map.items.filter(isMergePair))
    for (const source of sources(doc, merge.value)) {
      const found = pairOf(doc, source as Node, key, depth + 1);
      if (found) return found;
    }
  return undefined;
}

/** The `<<` key of the mapping `map` that merges `key` into it (for a key `map` does not write). */
export function mergeKeyOf(doc: Document, map: Node, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const merge = map.items.find(
    (p) => isMergePair(p) && sources(doc, p.value).some((s) => pairOf(doc, s as Node, key)),
  );
  return merge?.key as Node | undefined;
}

/** The first `<<` whose value is no mapping, alias of one or list of those (`<<: 5`). */
export function badMergeValue(doc: Document): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isMergePair(pair)) return undefined;
      if (sources(doc, pair.value).every(isMap)) return undefined;
      found = (pair.value ?? pair.key) as Node;
      return visit.BREAK;
    },
  });
  return found;
}

export const BAD_MERGE =
  'a merge key (<<) whose value is not a mapping; expected a mapping, an alias of one (<<: *defaults) or a list of them (<<: [*a, *b])';
