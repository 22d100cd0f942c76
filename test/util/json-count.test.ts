import { describe, expect, it } from 'vitest';
import { jsonPast } from '../../src/util/json-count.js';

const roomy = {
  depth: 100,
  values: 1000,
  containers: 1000,
  elements: 100,
  members: 100,
  names: 100,
  nameLength: 100,
  stringBytes: 1000,
};

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
    {
      name: 'an array of one element too many',
      text: '{"a":[1,"x",[]]}',
      bounds: { ...roomy, elements: 2 },
      past: { bound: 'elements', limit: 2 },
    },
    {
      name: "an object's values are not elements, its keys are members",
      text: '{"a":1,"b":[2],"c":"x"}',
      bounds: { ...roomy, elements: 1, members: 3 },
      past: undefined,
    },
    {
      name: 'an object of one key too many',
      text: '[{"a":1,"b":2,"c":3}]',
      bounds: { ...roomy, members: 2 },
      past: { bound: 'members', limit: 2 },
    },
    {
      name: 'a key name repeated is one name; a string value is none',
      text: '[{"a":"b"},{"a" : "c"}]',
      bounds: { ...roomy, names: 1 },
      past: undefined,
    },
    {
      name: 'one key name too many',
      text: '[{"a":1},{"b":1}]',
      bounds: { ...roomy, names: 1 },
      past: { bound: 'names', limit: 1 },
    },
    {
      name: 'a key name too long',
      text: '{"abcd":1}',
      bounds: { ...roomy, nameLength: 3 },
      past: { bound: 'nameLength', limit: 3 },
    },
    {
      name: 'a key name of 3 characters beyond ASCII (9 bytes) is 3 long',
      text: '{"é€é":1}',
      bounds: { ...roomy, nameLength: 3 },
      past: undefined,
    },
    {
      name: 'string values of 10 bytes or fewer are shared by JSON.parse: not counted',
      text: '["0123456789","0123456789","0123456789"]',
      bounds: { ...roomy, stringBytes: 0 },
      past: undefined,
    },
    {
      name: 'longer string values count their bytes as written (escapes included); keys do not',
      text: '{"a_key_of_many_bytes":"01234567890","b":"0123456\\u00e9"}',
      bounds: { ...roomy, stringBytes: 11 + 13 },
      past: undefined,
    },
    {
      name: 'and one byte more is past the bound',
      text: '{"a_key_of_many_bytes":"01234567890","b":"01234567\\u00e9"}',
      bounds: { ...roomy, stringBytes: 11 + 13 },
      past: { bound: 'stringBytes', limit: 24 },
    },
    {
      name: 'a closer too many does not make the depth negative',
      text: ']]][[[',
      bounds: { ...roomy, depth: 2 },
      past: { bound: 'depth', limit: 2 },
    },
  ] as const;
  for (const c of cases) it(c.name, () => expect(jsonPast(c.text, c.bounds)).toEqual(c.past));
  it('reads UTF-8 bytes as their text, a view into a larger buffer too', () => {
    for (const c of cases) {
      const bytes = Buffer.from(`xx${c.text}yy`);
      expect(jsonPast(bytes.subarray(2, bytes.length - 2), c.bounds), c.name).toEqual(c.past);
    }
  });
});
