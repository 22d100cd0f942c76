import { describe, expect, it } from 'vitest';
import { jsonPast } from '../../src/util/json-count.js';

const roomy = { depth: 100, values: 1000, containers: 1000 };

describe('jsonPast: one pass over JSON text, before it is parsed', () => {
  const cases = [
    {
      name: 'brackets and quotes inside strings do not count',
      text: '{"a":"[[[{{\\"]]"}',
      bounds: { ...roomy, depth: 1 },
      past: undefined,
    },
    {
      name: 'one level too deep',
      text: '[[[]]]',
      bounds: { ...roomy, depth: 2 },
      past: { bound: 'depth', limit: 2 },
    },
    {
      name: 'keys, strings, numbers and literals are each one value',
      text: '{"a":-1.5e3,"b":true,"c":null,"d":"x"}',
      bounds: { ...roomy, values: 9 },
      past: undefined,
    },
    {
      name: 'and one more is past the bound',
      text: '{"a":-1.5e3,"b":true,"c":null,"d":"x","e":0}',
      bounds: { ...roomy, values: 10 },
      past: { bound: 'values', limit: 10 },
    },
    {
      name: 'arrays and objects are containers',
      text: '[{},[],{}]',
      bounds: { ...roomy, containers: 3 },
      past: { bound: 'containers', limit: 3 },
    },
    {
      name: 'an escaped backslash ends before the quote',
      text: '["\\\\",[]]',
      bounds: { ...roomy, containers: 2 },
      past: undefined,
    },
  ] as const;
  for (const c of cases) it(c.name, () => expect(jsonPast(c.text, c.bounds)).toEqual(c.past));
});
