import { describe, expect, it } from 'vitest';
import { readers as allReaders, refusal } from '../helpers/yaml-readers.js';

const TOO_DEEP =
  'lists and mappings nested deeper than 64 levels; expected a few levels (a qoswatch config, rule, test or scenario file nests at most about ten)';

/** 2,000 flow lists inside one another (the tester's case) after `head`. */
const flow = (head: string): string => `${head}${'['.repeat(2000)}${']'.repeat(2000)}\n`;
/** 70 block mappings inside one another: no stack overflow, the tree itself too deep (level 65 at line 65). */
const block =
  Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + `\n${' '.repeat(70)}x\n`;

/** Each reader, the text before the `[`s, and the column of the one at level 65. */
const COLUMNS = [74, 72, 67, 67];
const readers = allReaders.map(([name, read, head], i) => [name, read, head, COLUMNS[i]!] as const);

describe('nesting deeper than 64 levels', () => {
  // Old code: ':2:817: YAML syntax: Maximum call stack size exceeded; expected valid YAML here ...'
  // for the first, and the block case went on to the schema ('unknown setting "k0"' and the like).
  it.each(readers)('is refused in %s with what is wrong and what is expected', (_name, read, head, col) => {
    const deep = refusal(read, flow(head));
    expect(deep.message).toBe(`${deep.file}:2:${col}: ${TOO_DEEP}`);
    const tall = refusal(read, block);
    expect(tall.message).toBe(`${tall.file}:65:65: ${TOO_DEEP}`);
  });
});
