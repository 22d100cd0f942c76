import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { runRuleTestFile } from '../../src/evaluate/rule-tests.js';
import { loadScenario } from '../../src/simulator/scenario.js';
import { FileInvalidError } from '../../src/util/file-errors.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-depth-'));
let n = 0;

const TOO_DEEP =
  'lists and mappings nested deeper than 64 levels; expected a few levels (a qoswatch config, rule, test or scenario file nests at most about ten)';

/** The message a reader gives for `text` in a real file; the test fails if the reader takes it. */
function refusal(read: (file: string) => unknown, text: string): { file: string; message: string } {
  const file = join(dir, `f${n++}.yaml`);
  writeFileSync(file, text);
  try {
    read(file);
  } catch (err) {
    expect(err).toBeInstanceOf(FileInvalidError);
    return { file, message: (err as Error).message };
  }
  throw new Error('expected the file to be refused');
}

/** 2,000 flow lists inside one another (the tester's case) after `head`. */
const flow = (head: string): string => `${head}${'['.repeat(2000)}${']'.repeat(2000)}\n`;
/** 70 block mappings inside one another: no stack overflow, the tree itself too deep (level 65 at line 65). */
const block =
  Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + `\n${' '.repeat(70)}x\n`;

/** Each reader, the text before the `[`s, and the column of the one at level 65. */
const readers: [string, (file: string) => unknown, string, number][] = [
  ['a config', (f) => loadConfig(f, {}), 'zoom:\n  api_url: ', 74],
  ['a rule file', (f) => loadRules([f]), 'rules:\n  - name: ', 72],
  ['a rule test file', (f) => runRuleTestFile(f), 'rule_files:\n  - ', 67],
  ['a simulator scenario', (f) => loadScenario(f, Date.parse('2026-11-20T10:00:00Z')), 'meetings:\n  - ', 67],
];

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
