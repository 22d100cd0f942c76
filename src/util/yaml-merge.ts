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

/** Deepest chain of `<<`s followed (a mapping merging one that merges another...). */
const MAX_MERGE_DEPTH = 10;

/**
 * Most mappings one `<<` may merge, counting those their own `<<`s merge (each once). pairOf was
 * bounded in depth only: aliases reused at every level (`l1: { <<: [*l0 x10] }` ... `l6`) made
 * one lookup of a missing key walk every path, 10^6 of them, 24 s. The yaml package's alias
 * count refuses that file before any lookup (toData), but a lookup must not rely on it: pairOf
 * looks in each mapping once, and a `<<` merging more than this is refused at its key.
 */
const MAX_MERGED_MAPPINGS = 100;

/**
 * The pair of `key` in the mapping `map`: its own, else the one a `<<` in it merges (the first of
 * a list of sources that has it, through `<<`s of those too), as the yaml package merges them.
 * Each mapping is looked in once (`seen`): one already seen did not have it (one reached past
 * MAX_MERGE_DEPTH is not marked seen, as its `<<` was not followed).
 */
export function pairOf(
  doc: Document,
  map: Node,
  key: string,
  seen = new Set<Node>(),
  depth = 0,
): Pair | undefined {
  if (!isMap(map) || seen.has(map)) return undefined;
  // Past the depth its `<<` is not followed: a shorter path reaching it later must follow it.
  if (depth <= MAX_MERGE_DEPTH) seen.add(map);
  const own = map.items.find((p) => !isMergePair(p) && isScalar(p.key) && String(p.key.value) === key);
  if (own || depth > MAX_MERGE_DEPTH) return own;
  for (const merge of map.items.filter(isMergePair))
    for (const source of sources(doc, merge.value)) {
      const found = pairOf(doc, source as Node, key, seen, depth + 1);
      if (found) return found;
    }
  return undefined;
}

/** How many mappings the `<<` value `value` merges, through their `<<`s too; counted up to `limit`. */
function mergedCount(doc: Document, value: unknown, limit: number): number {
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number): void => {
    for (const source of sources(doc, v)) {
      if (seen.size >= limit || seen.has(source) || !isMap(source)) continue;
      seen.add(source);
      if (depth < MAX_MERGE_DEPTH)
        for (const merge of source.items.filter(isMergePair)) walk(merge.value, depth + 1);
    }
  };
  walk(value, 0);
  return seen.size;
}

/** The key of the first `<<` that merges more than MAX_MERGED_MAPPINGS mappings. */
export function wideMerge(doc: Document): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isMergePair(pair) || mergedCount(doc, pair.value, MAX_MERGED_MAPPINGS + 1) <= MAX_MERGED_MAPPINGS)
        return undefined;
      found = pair.key as Node;
      return visit.BREAK;
    },
  });
  return found;
}

export const WIDE_MERGE = `a merge key (<<) that merges more than ${MAX_MERGED_MAPPINGS} mappings, counting those their own << merge; expected a few mappings merged (<<: *defaults or <<: [*a, *b])`;

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
