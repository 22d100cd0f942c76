import { parseDocument, type Scalar } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ScalarOffsets } from '../../src/util/scalar-offset.js';

/**
 * ScalarOffsets reads a scalar once for offsets asked in ascending order, and gives the same
 * answers in any order: each answer is checked against a reader made for it alone.
 */
const TEXTS = [
  'v: "a\\u00e9 {{x}}\\n b\\t{{y}} \\"q\\" {{z}}"\n',
  "v: 'it''s {{x}} and ''{{y}}'''\n",
  'v: |\n  one {{x}}\n    two {{y}}\n  three\n',
  'v: >-\n  folded {{x}}\n  line {{y}}\n\n  para {{z}}\n',
  'v: plain {{x}} words {{y}}\n',
  'v: "bad \\q then {{x}}"\n',
];

function scalarOf(text: string): Scalar {
  return (parseDocument(text).contents as { items: { value: Scalar }[] }).items[0]!.value;
}

const reader = (text: string, s: Scalar): ScalarOffsets =>
  new ScalarOffsets(text, String(s.value), s.type, s.range!);

describe('ScalarOffsets', () => {
  it.each(TEXTS)('answers %j the same in any order of asking', (text) => {
    const s = scalarOf(text);
    const value = String(s.value);
    const offsets = Array.from({ length: value.length }, (_, i) => i);
    const alone = offsets.map((o) => reader(text, s).at(o));
    // Each character found where the text holds it, or its escape (undefined: a blank, or after
    // an unknown escape).
    expect(alone.some((at) => at !== undefined)).toBe(true);
    for (const [o, at] of alone.entries())
      if (at !== undefined) expect([value[o], '\\'], `offset ${o}`).toContain(text[at]);
    const one = reader(text, s);
    expect(offsets.map((o) => one.at(o))).toEqual(alone);
    const back = reader(text, s);
    expect([...offsets].reverse().map((o) => back.at(o))).toEqual([...alone].reverse());
    const twice = reader(text, s);
    expect(offsets.flatMap((o) => [twice.at(o), twice.at(o)])).toEqual(alone.flatMap((a) => [a, a]));
  });

  it('places a field of a double-quoted value after escapes, and nothing after an unknown escape', () => {
    const text = TEXTS[0]!;
    const s = scalarOf(text);
    const value = String(s.value);
    const r = reader(text, s);
    for (const field of ['{{x}}', '{{y}}', '{{z}}']) {
      const at = r.at(value.indexOf(field));
      expect(at).toBeDefined();
      expect(text.slice(at, at! + field.length)).toBe(field);
    }
    const bad = scalarOf(TEXTS[5]!);
    expect(reader(TEXTS[5]!, bad).at(String(bad.value).indexOf('{{x}}'))).toBeUndefined();
  });
});
