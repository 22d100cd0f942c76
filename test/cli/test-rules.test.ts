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

  /** A test file of the default rules beside them, from its `tests:` text. */
  function testFile(name: string, tests: string): string {
    const ruleFile = writeRuleFile(readFileSync(fromRoot('rules', 'default.yaml'), 'utf8'));
    const file = join(dirname(ruleFile), `${name}.test.yaml`);
    writeFileSync(file, `rule_files: [${ruleFile}]\ntests:\n${tests}`);
    return file;
  }

  it('refuses values after a participant left or its meeting ended, at file:line:col (outside tester: they were a silent rejoin)', async () => {
    const file = testFile(
      'after-leaving',
      `  - name: bob leaves at 5m, his series runs on\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.latency: 400ms x9 }\n` +
        `      - participant: ann\n        instance: m2\n        series:\n          audio_input.latency: 400ms x3\n          audio_input.jitter: 10ms x12\n` +
        `    events:\n      - { at: 5m, left: { participant: bob } }\n      - { at: 9m, ended: m2 }\n` +
        `    expect:\n      - { at: 5m, alerts: [{ rule: audio-latency-high, state: resolved, reason: left }] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.code).toBe(1);
    // On the old code bob's minutes 6 to 8 were a rejoin: the test ran (and passed).
    expect(r.stderr).toContain(
      `${file}:6:40: tests[0].input[0].series.audio_input.latency: bob has values after it left at 5m (events[0]), up to 8m; expected the series to end by 5m. A rejoin is a new join: write it as another input of bob whose start is later than 5m`,
    );
    expect(r.stderr).toContain(
      `${file}:11:31: tests[0].input[1].series.audio_input.jitter: instance m2 has values after it ended at 9m (events[1]), up to 11m; expected the series to end by 9m (a later occurrence is another instance)`,
    );
    expect(r.stdout).toMatch(/^0 passed, 0 failed$/m);
  });

  it('refuses series text it cannot read at its key, before any test runs (outside tester hT35: an ERROR line per sample, and a test of unknown keys passed)', async () => {
    const file = testFile(
      'bad-series',
      `  - name: typos\n    input:\n` +
        `      - participant: a\n        series:\n          audio_input.avg_loss: 20% 2O% x3\n          audio_input.avgloss: 20% x3\n          cpu_zoom: 50%\n` +
        `      - participant: b\n        series: { audio_input.latency: x3 400ms x50000000 }\n` +
        `    expect:\n      - { at: 2m, alerts: [] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${file}:7:33: tests[0].input[0].series.audio_input.avg_loss: cannot read "2O%"; expected values of the metric with their unit (120ms, 3.5%, 800kbps...), _ for none, xN to repeat the one before`,
    );
    expect(r.stderr).toContain(
      `${file}:8:11: tests[0].input[0].series.audio_input.avgloss: unknown metric "avgloss" in audio_input.avgloss; expected a rule metric`,
    );
    expect(r.stderr).toContain(
      `${file}:9:11: tests[0].input[0].series.cpu_zoom: unknown series "cpu_zoom"; expected`,
    );
    expect(r.stderr).toContain(
      `tests[0].input[1].series.audio_input.latency: "x3" repeats no value before it; expected xN after a value, N copies of it from 2 to 10000`,
    );
    // Refused before running: no test passed (the old code ran it and counted it passed).
    expect(r.stdout).toMatch(/^0 passed, 0 failed$/m);
    expect(r.stderr.match(/cannot read/g)).toHaveLength(1);
  });

  it('takes a rejoin written as another input of the participant starting after the leave: a new alert', async () => {
    const file = testFile(
      'rejoin',
      `  - name: bob leaves at 5m and rejoins at 7m\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.latency: 400ms x6 }\n` +
        `      - participant: bob\n        start: 7m\n        series: { audio_input.latency: 400ms x4 }\n` +
        `    events:\n      - { at: 5m, left: { participant: bob } }\n` +
        `    expect:\n      - { at: 5m, alerts: [{ rule: audio-latency-high, state: resolved, reason: left }] }\n` +
        `      - { at: 7m, alerts: [{ rule: audio-latency-high, state: pending }] }\n` +
        `      - { at: 9m, alerts: [{ rule: audio-latency-high, state: firing, labels: { participant: bob } }] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.stdout + r.stderr).toMatch(/^1 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });
});
