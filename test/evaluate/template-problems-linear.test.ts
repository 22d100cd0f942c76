import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * A template's problems are placed at their line:col in one pass over the value (ScalarOffsets):
 * walking from the value's start for each (54e194c) made `check` (and a rule reload, which
 * blocks the daemon) grow with the square of their number: 16,000 unknown fields in one value
 * took 34 s of CPU, and a rule file may be 4 MiB (reviewer rA41, stop 41). The check runs in a
 * child process killed at HANG_BOUND_MS, so a regression fails the test instead of hanging the
 * run: linear work takes under 2 s of CPU (30,000 fields), the old code about 2 minutes (34 s at
 * 16,000), so the bound leaves room for a loaded machine (at 50,000 fields and 40 s it was hit
 * once, at load 20).
 */
const HANG_BOUND_MS = 55_000;

const dir = mkdtempSync(join(tmpdir(), 'qw-template-linear-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UNKNOWN =
  'unknown template field {{zz}} (did you mean {{os}}?); expected a field such as {{participant}}, {{topic}} or {{value}} (docs/rules.md, Templates, lists them)';

describe('a template value of many unknown fields', () => {
  it('each is said at its line:col, the first 20 and a count, in linear time', async () => {
    const n = 30_000; // the old code: about 2 minutes of CPU
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      'rules:\n  - name: t\n    metric: latency\n    streams: [any_audio]\n    when: above\n' +
        `    threshold: 300ms\n    annotations:\n      summary: |\n        ${'{{zz}} '.repeat(n)}\n`,
    );
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      'zoom: { account_id: a, client_id: c, client_secret: s }\nrules: { paths: [rules.yaml] }\n',
    );
    const r = await runCli(['check', '--config', config], {}, HANG_BOUND_MS);
    expect(r.code, 'killed at the bound: the work is no longer linear').toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `${rules}:9:11: rules[0].annotations.summary: ${UNKNOWN}`,
      `${rules}:9:18: rules[0].annotations.summary: ${UNKNOWN}`,
      `${rules}:9:25: rules[0].annotations.summary: ${UNKNOWN}`,
    ]);
    expect(lines[19]).toBe(`${rules}:9:${11 + 19 * 7}: rules[0].annotations.summary: ${UNKNOWN}`);
    expect(lines.at(-1)).toBe(`… and ${n - 20} more problems`);
  }, 70_000);
});
