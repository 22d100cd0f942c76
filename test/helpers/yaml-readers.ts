import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { runRuleTestFile } from '../../src/evaluate/rule-tests.js';
import { loadScenario } from '../../src/simulator/scenario.js';
import { FileInvalidError } from '../../src/util/file-errors.js';

const dir = mkdtempSync(join(tmpdir(), 'qw-yaml-readers-'));
let n = 0;

/** The message a reader gives for `text` in a real file; the test fails if the reader takes it. */
export function refusal(read: (file: string) => unknown, text: string): { file: string; message: string } {
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

/** Every reader of user YAML files, with the text that starts a value one level into its file. */
export const readers: [string, (file: string) => unknown, string][] = [
  ['a config', (f) => loadConfig(f, {}), 'zoom:\n  api_url: '],
  ['a rule file', (f) => loadRules([f]), 'rules:\n  - name: '],
  ['a rule test file', (f) => runRuleTestFile(f), 'rule_files:\n  - '],
  ['a simulator scenario', (f) => loadScenario(f, Date.parse('2026-11-20T10:00:00Z')), 'meetings:\n  - '],
];
