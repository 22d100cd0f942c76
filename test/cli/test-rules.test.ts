import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';
import { writeRuleFile } from '../helpers/rules.js';

describe('qoswatch test-rules', () => {
  it('passes the default rules tests', async () => {
    const r = await runCli(['test-rules', fromRoot('rules', 'tests', 'default.test.yaml')]);
    expect(r.stdout).toMatch(/^9 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  it('fails a deliberately wrong expectation with a readable difference', async () => {
    const rules = readFileSync(fromRoot('rules', 'default.yaml'), 'utf8');
    const ruleFile = writeRuleFile(rules);
    const test = join(dirname(ruleFile), 'wrong.test.yaml');
    writeFileSync(
      test,
      `rule_files: [${ruleFile}]\ntests:\n  - name: wrong on purpose\n    input:\n      - participant: bob\n        series: { audio_input.latency: 400ms x4 }\n` +
        `    expect:\n      - at: 3m\n        alerts: [{ rule: audio-latency-high, state: pending, labels: { participant: alice } }]\n`,
    );
    const r = await runCli(['test-rules', test]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL ${test}: "wrong on purpose" at 3m`);
    expect(r.stdout).toContain('  expected, not found: audio-latency-high pending {participant=alice}');
    expect(r.stdout).toContain(
      '  found, not expected: audio-latency-high firing {alertname=audio-latency-high, severity=warning, scope=participant, kind=meeting, instance=test, instance_uuid=test, participant=bob}',
    );
    expect(r.stdout).toMatch(/^0 passed, 1 failed$/m);
  });
});
