import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { FileInvalidError } from '../../src/util/file-errors.js';
import { configErrorOf } from '../helpers/config-error.js';
import { writeRuleFile } from '../helpers/rules.js';

/**
 * Every config and rule problem says what is wrong and what is expected (outside tester, stop 38:
 * `silences[0].ends: the silence ends before it starts` and `/nonexistent.yaml:1:1: cannot read:
 * file not found` said only the first; so did the others here).
 */
/** Any YAML text as a real file (the helper writes rule files, and any other). */
const write = writeRuleFile;
const ZOOM = 'zoom: { account_id: a, client_id: c, client_secret: s }\n';
const TWO = 'notifiers: [{ name: a, type: console }, { name: b, type: console }]\n';

describe('a problem says what is expected', () => {
  it.each([
    [
      'a silence that ends before it starts',
      `${ZOOM}silences:\n  - { matchers: { alertname: x }, starts: 2026-12-02T10:00:00Z, ends: 2026-12-01T10:00:00Z }\n`,
      ':3:71: silences[0].ends: found 2026-12-01T10:00:00Z, not after starts (2026-12-02T10:00:00Z): the silence would end before it starts; expected an end after 2026-12-02T10:00:00Z',
    ],
    [
      'two notifiers, a top route without a receiver',
      `${ZOOM}${TWO}route: { group_wait: 1s }\n`,
      ':3:8: route: the top route has no receiver and there are 2 notifiers; expected receiver: the name of the default one (a, b)',
    ],
    [
      'identity labels without participant series',
      `${ZOOM}metrics: { participant_identity_labels: true }\n`,
      ':2:41: metrics.participant_identity_labels: identity labels need participant_series: true too; expected participant_series: true beside them, or participant_identity_labels: false',
    ],
    [
      'a secret given twice',
      'zoom: { account_id: a, client_id: c, client_secret: s, client_secret_file: f }\n',
      ':1:56: zoom.client_secret_file: both client_secret and client_secret_file are set; expected one of them',
    ],
    [
      'a missing account id',
      'zoom: { client_id: c, client_secret: s }\n',
      `:1:7: zoom.account_id: missing required setting "account_id"; expected account_id in zoom (the Server-to-Server OAuth app's account ID)`,
    ],
    [
      'a notifier named twice',
      `${ZOOM}notifiers: [{ name: a, type: console }, { name: a, type: console }]\n`,
      ':2:49: notifiers[1].name: notifier "a" is defined twice; expected a name no other notifier has',
    ],
  ])('%s', (_name, text, want) => {
    const file = write(text);
    expect(configErrorOf(file)).toBe(`${file}${want}`);
  });

  it.each([
    [
      'an empty rule file (it said: rules: missing required setting "rules"; expected a list)',
      '',
      ':1:1: the rule file is empty (or holds only comments); expected rules: a list of rules, such as rules: [{ name: weak-wifi, metric: wifi_rssi, when: below, threshold: -70dBm }]',
    ],
    [
      'a rule file of comments only',
      '# none yet\n',
      ':1:1: the rule file is empty (or holds only comments); expected rules: a list of rules',
    ],
    [
      'a rule file of an empty mapping is not empty: rules is missing',
      '{}\n',
      ':1:1: rules: missing required setting "rules"; expected a list',
    ],
    [
      'a rule without its threshold',
      'rules:\n  - { name: slow, metric: cpu, when: above }\n',
      ':2:5: rules[0].threshold: missing required setting "threshold"; expected a number, or a value with the metric',
    ],
  ])(
    '%s (outside tester, stop 39: "missing required setting" said nothing of what is expected)',
    (_n, text, want) => {
      const file = write(text);
      expect(() => loadRules([file])).toThrow(`${file}${want}`);
    },
  );

  it('a config file that is not there', () => {
    expect(configErrorOf('/nonexistent.yaml')).toBe(
      '/nonexistent.yaml:1:1: cannot read: file not found; expected a YAML file at this path (check the path and the folder it is relative to)',
    );
  });

  it('a rule file read by two rules.paths entries, at the second (stop 40: said as each rule "already defined" in its own file, at the rule)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'qw-paths-'));
    writeFileSync(
      join(folder, 'a.yaml'),
      'rules:\n  - { name: slow, metric: cpu_zoom_avg, when: above, threshold: 90% }\n',
    );
    const config = join(folder, 'config.yaml');
    writeFileSync(config, `${ZOOM}rules: { paths: [a.yaml, ./a.yaml, .] }\n`);
    expect(configErrorOf(config)).toBe(
      [
        `${config}:2:26: rules.paths[1]: ./a.yaml is read by rules.paths[0] (a.yaml) too; expected each rule file once (its rules would be defined twice)`,
        `${config}:2:36: rules.paths[2]: . holds ${join(folder, 'a.yaml')}, which is read by rules.paths[0] (a.yaml) too; expected each rule file once (its rules would be defined twice)`,
      ].join('\n'),
    );
  });

  it('a rule defined in two files', () => {
    const rule =
      'rules:\n  - { name: slow, metric: latency, streams: [audio_input], when: above, threshold: 300ms }\n';
    const [a, b] = [write(rule), write(rule)];
    expect(() => loadRules([a, b])).toThrow(FileInvalidError);
    expect(() => loadRules([a, b])).toThrow(
      `${b}:2:13: rules[0].name: rule "slow" is already defined in ${a}; expected a name no other rule has`,
    );
  });
});
