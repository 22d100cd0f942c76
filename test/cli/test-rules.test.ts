import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTEXT_FIELDS } from '../../src/normalize/catalog.js';
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

  it('takes reason moved in an expected alert (a group whose members moved out of it): not refused by the schema', async () => {
    const file = testFile(
      'moved',
      `  - name: nobody moves here\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.latency: 400ms x4 }\n` +
        `    expect:\n      - { at: 3m, alerts: [{ rule: meeting-audio-degraded, state: resolved, reason: moved }] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    // The old code refused the file: reason must be recovered, left or ended.
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('  expected, not found: meeting-audio-degraded resolved (moved) {}');
    expect(r.stdout).toMatch(/^0 passed, 1 failed$/m);
  });

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
    expect(r.stdout).toMatch(new RegExp(`^0 passed, 0 failed; invalid, not run: ${file}$`, 'm'));
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
    expect(r.stdout).toMatch(new RegExp(`^0 passed, 0 failed; invalid, not run: ${file}$`, 'm'));
    expect(r.stderr.match(/cannot read/g)).toHaveLength(1);
  });

  it('refuses an event with neither left nor ended, and one naming a participant or instance no input has, at the event (outside tester: they did nothing)', async () => {
    const file = testFile(
      'events-naming-nobody',
      `  - name: events that name nobody\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.latency: 400ms x3 }\n` +
        `      - participant: ann\n        instance: m2\n        series: { audio_input.latency: 400ms x3 }\n` +
        `    events:\n` +
        `      - { at: 5m, left: { participant: bbo } }\n` +
        `      - { at: 5m, left: { participant: ann } }\n` +
        `      - { at: 5m, left: { participant: bob, instance: m2 } }\n` +
        `      - { at: 6m, ended: m3 }\n` +
        `      - { at: 7m }\n` +
        `    expect:\n      - { at: 2m, alerts: [] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.code).toBe(1);
    // The old code ran the test: the leaves of nobody did nothing, and the empty event too.
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:11:40: tests[0].events[0].left.participant: no input of this test has the participant "bbo" (did you mean "bob"?); expected one of: bob, ann`,
      `${file}:12:40: tests[0].events[1].left.participant: ann has no input in instance test (the default); expected instance: m2, where its inputs are`,
      `${file}:13:55: tests[0].events[2].left.instance: bob has no input in instance m2; expected instance: test, where its inputs are`,
      `${file}:14:26: tests[0].events[3].ended: no input of this test has the instance "m3" (did you mean "m2"?); expected one of: test, m2`,
      `${file}:15:9: tests[0].events[4]: an event with neither left nor ended; expected { at: 5m, left: { participant: bob } } (with instance: when not test) or { at: 9m, ended: test }`,
    ]);
    expect(r.stdout).toMatch(new RegExp(`^0 passed, 0 failed; invalid, not run: ${file}$`, 'm'));
  });

  it('cites the earliest leave of a participant, not the first listed (outside tester)', async () => {
    const file = testFile(
      'two-leaves',
      `  - name: bob's leaves listed out of order\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.latency: 400ms x9 }\n` +
        `    events:\n      - { at: 7m, left: { participant: bob } }\n      - { at: 5m, left: { participant: bob } }\n` +
        `    expect:\n      - { at: 5m, alerts: [] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.code).toBe(1);
    // The old code said "left at 7m (events[0]) ... expected the series to end by 7m".
    expect(r.stderr.trim()).toBe(
      `${file}:6:40: tests[0].input[0].series.audio_input.latency: bob has values after it left at 5m (events[1]), up to 8m; expected the series to end by 5m. A rejoin is a new join: write it as another input of bob whose start is later than 5m`,
    );
  });

  it('refuses a left before its participant joined, at the event (outside tester: "1 passed", the leave did nothing)', async () => {
    const file = testFile(
      'left-before-join',
      `  - name: bob leaves before he joins\n    input:\n` +
        `      - participant: bob\n        start: 7m\n        series: { audio_input.latency: 400ms x3 }\n` +
        `      - participant: ann\n        series: { audio_input.latency: _ _ 400ms }\n` +
        `      - participant: cy\n        series: { audio_input.latency: _ }\n` +
        `    events:\n` +
        `      - { at: 2m, left: { participant: bob } }\n` +
        `      - { at: 1m, left: { participant: ann } }\n` +
        `      - { at: 2m, left: { participant: ann } }\n` +
        `      - { at: 3m, left: { participant: cy } }\n` +
        `    expect:\n      - { at: 1m, alerts: [] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.code).toBe(1);
    // The old code said only "ann has values after it left at 1m", as if she had been in the call
    // from 0m; without ann it ran the test: "1 passed". A leave at the first value (ann at 2m) is taken.
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:13:15: tests[0].events[0].at: bob had not joined yet at 2m: its first value (instance test) is at 7m; expected a left at or after the first value of the join it ends`,
      `${file}:14:15: tests[0].events[1].at: ann had not joined yet at 1m: its first value (instance test) is at 2m; expected a left at or after the first value of the join it ends`,
      `${file}:16:15: tests[0].events[3].at: cy had not joined yet at 3m: no input of it in instance test has a value; expected a left at or after the first value of the join it ends`,
    ]);
    expect(r.stdout).toMatch(new RegExp(`^0 passed, 0 failed; invalid, not run: ${file}$`, 'm'));
  });

  it('refuses two inputs of one participant with values at the same times, at the second one (outside tester: both were taken)', async () => {
    const file = testFile(
      'overlap',
      `  - name: bob twice at once\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.latency: 400ms x6 }\n` +
        `      - participant: ann\n        series: { audio_input.latency: 400ms x6 }\n` +
        `      - participant: bob\n        start: 3m\n        series: { audio_input.jitter: 10ms x4 }\n` +
        `      - participant: bob\n        instance: m2\n        series: { audio_input.latency: 400ms x6 }\n` +
        `      - participant: bob\n        start: 9m\n        series: { audio_input.latency: 400ms x2 }\n` +
        `    expect:\n      - { at: 5m, alerts: [] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.code).toBe(1);
    // bob in m2 (another instance) and bob from 9m (after his first join's last value at 5m) are fine.
    expect(r.stderr.trim()).toBe(
      `${file}:9:9: tests[0].input[2]: bob (instance test) has values from 3m to 5m in input[0] too; expected one input per join: every series of a join in one input, and a rejoin as another input whose values start after the earlier one's last`,
    );
    expect(r.stdout).toMatch(new RegExp(`^0 passed, 0 failed; invalid, not run: ${file}$`, 'm'));
  });

  it('says no test file was found when none ran: a pattern that matched nothing, a folder; exit 2 (was "0 passed, 0 failed")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-test-rules-'));
    const pattern = join(dir, '*.test.yaml');
    let r = await runCli(['test-rules', pattern]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${pattern}: no such file (a shell pattern that matches no file is passed on as written); expected a rule test file (.yaml)`,
    );
    expect(r.stdout.trim()).toBe(`no test file found, no test run; not found: ${pattern}`);
    r = await runCli(['test-rules', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${dir}: is a folder; expected a rule test file (.yaml), such as ${join(dir, '*.test.yaml')}`,
    );
    expect(r.stdout.trim()).toBe(`no test file found, no test run; a folder, not run: ${dir}`);
    // A file named as a folder (`x.test.yaml/`) is no such file, not ENOTDIR and exit 1 (outside
    // tester, stop 37).
    const asFolder = `${fromRoot('rules', 'tests', 'default.test.yaml')}/`;
    r = await runCli(['test-rules', asFolder]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`${asFolder}: no such file; expected a rule test file (.yaml)`);
    // With a file that ran, its counts and the one not found.
    const good = fromRoot('rules', 'tests', 'default.test.yaml');
    r = await runCli(['test-rules', good, join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `${join(dir, 'nope.yaml')}: no such file; expected a rule test file (.yaml)`,
    );
    expect(r.stdout).toMatch(new RegExp(`^9 passed, 0 failed; not found: ${join(dir, 'nope.yaml')}$`, 'm'));
  });

  it('runs a file named twice (as written, through ./) once, and says so once (fE40 LOW: it ran twice)', async () => {
    const good = fromRoot('rules', 'tests', 'default.test.yaml');
    let r = await runCli(['test-rules', good, good]);
    // The old code: "18 passed, 0 failed", nothing said.
    expect(r.stdout.trim()).toBe('9 passed, 0 failed');
    expect(r.stderr).toBe(`${good}: named 2 times; run once\n`);
    expect(r.code).toBe(0);
    const dotted = `${fromRoot('rules', 'tests')}/./../tests/default.test.yaml`; // join would normalize it
    r = await runCli(['test-rules', good, dotted, good]);
    expect(r.stdout.trim()).toBe('9 passed, 0 failed');
    expect(r.stderr).toBe(`${good}: named 3 times (as ${good}, ${dotted}); run once\n`);
  });

  it('runs a link to a test file as a test of its own: its rule_files are found from the link (hT41b LOW)', async () => {
    // The tester's case. The old code took the link for the file (realpath), ran it once by the
    // name given first, the link, and said `rule_files[0]: no such file` for the real file.
    const good = fromRoot('docs', 'examples', 'latency.test.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'qw-test-rules-'));
    const link = join(dir, 'lt.yaml');
    symlinkSync(good, link);
    let r = await runCli(['test-rules', link, good]);
    expect(r.stderr).not.toContain('named 2 times');
    expect(r.stderr).toContain(`${link}:1:`);
    expect(r.stderr).toContain(`no such file: ${join(dir, '..', '..', 'rules', 'default.yaml')}`);
    expect(r.stdout.trim()).toMatch(/^\d+ passed, 0 failed; invalid, not run: /);
    expect(r.code).toBe(1);
    const alone = await runCli(['test-rules', good]);
    expect(r.stdout.trim()).toBe(`${alone.stdout.trim()}; invalid, not run: ${link}`);
    // A link whose folder has the rule_files the file names: it runs, as its own test.
    const mirror = mkdtempSync(join(tmpdir(), 'qw-test-rules-'));
    mkdirSync(join(mirror, 'docs', 'examples'), { recursive: true });
    symlinkSync(fromRoot('rules'), join(mirror, 'rules'));
    const inMirror = join(mirror, 'docs', 'examples', 'lt.yaml');
    symlinkSync(good, inMirror);
    r = await runCli(['test-rules', inMirror, good]);
    const [n] = alone.stdout.trim().split(' ');
    expect(r.stdout.trim()).toBe(`${Number(n) * 2} passed, 0 failed`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('says a rule file that does not exist at its rule_files entry, and names the file in the summary (outside tester: at nope.yaml:1:1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-test-rules-'));
    const file = join(dir, 'missing-rules.test.yaml');
    writeFileSync(
      file,
      `rule_files:\n  - ${fromRoot('rules', 'default.yaml')}\n  - nope.yaml\ntests:\n  - name: t\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.latency: 400ms x3 }\n    expect:\n      - { at: 2m, alerts: [] }\n`,
    );
    const good = fromRoot('rules', 'tests', 'default.test.yaml');
    const r = await runCli(['test-rules', good, file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `${file}:3:5: rule_files[1]: no such file: ${join(dir, 'nope.yaml')}; expected a rule file or a folder of them, relative to the test file`,
    );
    // The old summary was '9 passed, 0 failed': nothing said which file did not run.
    expect(r.stdout).toMatch(new RegExp(`^9 passed, 0 failed; invalid, not run: ${file}$`, 'm'));
  });

  it('says what is expected in every problem of a test file: a near-miss key, a rule file named twice, not UTF-8 (stop 40: "did you mean" alone, the rule "already defined" in itself, "save it as UTF-8")', async () => {
    const file = testFile(
      'expected-parts',
      `  - name: t\n    inptu: []\n    input:\n` +
        `      - participant: bob\n        context: { networktype: wifi }\n        series: { audio_input.latency: 400ms x3 }\n` +
        `    expect:\n      - { at: 2m, alerts: [] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:4:5: tests[0].inptu: unknown setting "inptu" (did you mean "input"?); expected one of: name, interval, input, events, expect`,
      `${file}:7:20: tests[0].input[0].context.networktype: unknown setting "networktype" (did you mean "network_type"?); expected one of: ${CONTEXT_FIELDS.map((f) => f.rule).join(', ')}`,
    ]);

    const rules = writeRuleFile(readFileSync(fromRoot('rules', 'default.yaml'), 'utf8'));
    const twice = join(dirname(rules), 'twice.test.yaml');
    writeFileSync(
      twice,
      `rule_files: [${rules}, ${dirname(rules)}]\ntests:\n  - name: t\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.latency: 400ms x3 }\n    expect:\n      - { at: 2m, alerts: [] }\n`,
    );
    const t = await runCli(['test-rules', twice]);
    expect(t.code).toBe(1);
    // The old code: `${rules}:2:5: rules[0].name: rule "audio-latency-high" is already defined in ${rules}`, at the rule.
    expect(t.stderr.trim()).toBe(
      `${twice}:1:${16 + rules.length}: rule_files[1]: ${dirname(rules)} holds ${rules}, which is read by rule_files[0] (${rules}) too; expected each rule file once (its rules would be defined twice)`,
    );

    const utf16 = join(dirname(rules), 'utf16.test.yaml');
    writeFileSync(
      utf16,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('rule_files: []\n', 'utf16le')]),
    );
    const u = await runCli(['test-rules', utf16]);
    expect(u.stderr.trim()).toBe(
      `${utf16}:1:1: not UTF-8 text: it is UTF-16 (it starts with a UTF-16 byte order mark); expected UTF-8 text (save it as UTF-8)`,
    );
  });

  it('refuses two tests of one name and two expects of one test at one time, at the later one (fE40: both ran)', async () => {
    const one = `    input:\n      - participant: bob\n        series: { audio_input.latency: 40ms x4 }\n`;
    const file = testFile(
      'twice-named',
      `  - name: a\n${one}    expect:\n      - { at: 3m, alerts: [] }\n      - { at: 180s, alerts: [] }\n` +
        `  - name: a\n${one}    expect:\n      - { at: 1m, alerts: [] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    // The old code: "2 passed, 0 failed" (the second expect failed nothing: both listed no alert).
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:9:15: tests[0].expect[1].at: a second expect at 180s (expect[0] is at 3m); expected one entry per time, with every alert of that time in its alerts`,
      `${file}:10:11: tests[1].name: a second test named "a" (tests[0] is one); expected each test's name once`,
    ]);
  });

  it('refuses an expect naming a rule the rule files do not have, at its rule: with the nearest name (outside tester: only an "expected, not found")', async () => {
    const file = testFile(
      'no-such-rule',
      `  - name: misspelt\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.avg_loss: 9% x4 }\n` +
        `    expect:\n      - at: 3m\n        alerts:\n          - { rule: audio-los-high, state: firing }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `${file}:10:21: tests[0].expect[0].alerts[0].rule: no rule "audio-los-high" in the test's rule_files (did you mean "audio-loss-high"?); expected one of: audio-latency-high, audio-jitter-high, audio-loss-high, video-frame-rate-collapse, zoom-cpu-pegged, wifi-signal-weak, meeting-audio-degraded, datacenter-loss-incident`,
    );
    expect(r.stdout).not.toContain('expected, not found');
    expect(r.stdout).toMatch(new RegExp(`^0 passed, 0 failed; invalid, not run: ${file}$`, 'm'));
  });

  it('an expected annotation that differs shows both texts (outside tester: the two lines read the same, labels only)', async () => {
    const file = testFile(
      'annotation',
      `  - name: wrong summary\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.avg_loss: 9% x4 }\n` +
        `    expect:\n      - at: 3m\n        alerts:\n` +
        `          - { rule: audio-loss-high, state: firing, annotations: { summary: 'x' } }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '  expected, not found: audio-loss-high firing {} annotations {summary="x"}\n' +
        '  found, not expected: audio-loss-high firing {alertname=audio-loss-high, severity=warning, scope=participant, kind=meeting, instance=test, instance_uuid=test, participant=bob} annotations {summary="Guest bob\'s audio loss is 9.0% in \\"test\\" (above 5.0% for 3 min)"}',
    );
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
  it('takes another input of the participant with no left before it as the same join going on: its alert carries on', async () => {
    const file = testFile(
      'same-join',
      `  - name: bob's series in two inputs, no leave between\n    input:\n` +
        `      - participant: bob\n        series: { audio_input.latency: 400ms x4 }\n` +
        `      - participant: bob\n        start: 4m\n        series: { audio_input.latency: 400ms x3 }\n` +
        `    expect:\n      - { at: 3m, alerts: [{ rule: audio-latency-high, state: firing }] }\n` +
        `      - { at: 4m, alerts: [{ rule: audio-latency-high, state: firing }] }\n`,
    );
    const r = await runCli(['test-rules', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^1 passed, 0 failed/m);
  });

  it("changes a participant's context from a time on (context_changes; `_` takes a field away), and refuses a change that changes no sample", async () => {
    const ruleFile = writeRuleFile(
      `rules:\n  - name: lat\n    metric: latency\n    streams: [any_audio]\n    when: above\n    threshold: 300ms\n` +
        `    annotations: { summary: 'net {{network_type}}{{^network_type}}none{{/network_type}} dc {{data_center}}' }\n`,
    );
    const file = join(dirname(ruleFile), 'context-changes.test.yaml');
    const input = (changes: string): string =>
      `    input:\n      - participant: bob\n        context: { network_type: Wifi, data_center: NY }\n` +
      `        context_changes: [${changes}]\n        series: { audio_input.latency: 400ms x4 }\n`;
    const expecting = (at: string, summary: string): string =>
      `      - { at: ${at}, alerts: [{ rule: lat, state: firing, annotations: { summary: ${summary} } }] }\n`;
    writeFileSync(
      file,
      `rule_files: [${ruleFile}]\ntests:\n  - name: bob moves to SC at 1m, his network type goes away at 2m\n` +
        input('{ at: 2m, network_type: _ }, { at: 1m, data_center: SC }') +
        `    expect:\n${expecting('0m', 'net Wifi dc NY')}${expecting('1m', 'net Wifi dc SC')}${expecting('3m', 'net none dc SC')}`,
    );
    // The old code refused the file: context_changes was not a property of an input.
    const r = await runCli(['test-rules', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^1 passed, 0 failed/m);
    expect(r.code).toBe(0);

    writeFileSync(
      file,
      `rule_files: [${ruleFile}]\ntests:\n  - name: changes that change nothing\n` +
        input('{ at: 0m, data_center: SC }, { at: 4m, data_center: SC }') +
        `    expect:\n${expecting('1m', 'net Wifi dc NY')}`,
    );
    const bad = await runCli(['test-rules', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `${file}:7:33: tests[0].input[0].context_changes[0].at: a context change at 0ms changes no sample of bob: its values are from 0ms to 3m; expected a time after its first value and at or before its last (the context from its first value on goes in context)`,
    );
    expect(bad.stderr).toContain(
      `${file}:7:62: tests[0].input[0].context_changes[1].at: a context change at 4m`,
    );

    // Two entries at one time (the last won unseen) and one naming no field (the schema's "at
    // least 2 entries") are said at their `at` (outside tester, stop 37).
    writeFileSync(
      file,
      `rule_files: [${ruleFile}]\ntests:\n  - name: twins\n` +
        input('{ at: 2m, data_center: SC }, { at: 2m, data_center: LA }, { at: 3m }') +
        `    expect:\n${expecting('1m', 'net Wifi dc NY')}`,
    );
    const twins = await runCli(['test-rules', file]);
    expect(twins.code).toBe(1);
    expect(twins.stderr).toContain(
      `tests[0].input[0].context_changes[1].at: context_changes[0] of bob is at 2m too; expected one entry per time, holding every field that changes then`,
    );
    expect(twins.stderr).toMatch(
      /context_changes\[2\]\.at: a context change at 3m names no context field; expected at least one of [a-z_, ]*data_center/,
    );
  });
});
