import { describe, expect, it } from 'vitest';
import { parseDocument, type Node } from 'yaml';
import { pairOf } from '../../src/util/yaml-merge.js';

describe('pairOf: where a merged key is written', () => {
  it('a mapping first reached past the deepest chain followed is still followed from a shorter path', () => {
    // Review (stop 39, LOW): `m` is reached first at depth 11 through c0..c9 (its `<<` not
    // followed there), then at depth 1; it was marked seen at depth 11, so `k` (merged by m from
    // src) was not found. Old code: undefined.
    const chain = Array.from({ length: 9 }, (_, i) => `c${i}: &c${i} { <<: *c${i + 1} }`).reverse();
    const text = [
      'src: &src { k: 1 }',
      'm: &m { <<: *src }',
      'c9: &c9 { <<: *m }',
      ...chain,
      'top: { <<: [*c0, *m] }',
      '',
    ].join('\n');
    const doc = parseDocument(text, { merge: true });
    expect(doc.errors).toEqual([]);
    const top = doc.get('top', true) as Node;
    const pair = pairOf(doc, top, 'k');
    expect(pair).toBeDefined();
    expect((pair?.key as Node).range?.[0]).toBe(text.indexOf('k: 1'));
    expect(pairOf(doc, top, 'missing')).toBeUndefined();
  });
});
