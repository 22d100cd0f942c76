import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileInvalidError } from '../../src/util/file-errors.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { fromRoot } from '../../src/util/package-root.js';
import { writeRuleFile } from '../helpers/rules.js';

function problems(text: string): { file: string; message: string } {
  const file = writeRuleFile(text);
  try {
    loadRules([file]);
  } catch (err) {
    expect(err).toBeInstanceOf(FileInvalidError);
    return { file, message: (err as Error).message };
  }
  throw new Error('expected the rules to be rejected');
}

const head = 'rules:\n  - name: r\n';
/** What the message holds: each part, one at `:line:col` right after the file's name. */
const cases: { name: string; text: string; want: string | string[] }[] = [
  {
    name: 'a unit that does not fit the metric',
    text: `${head}    metric: latency\n    streams: [any_audio]\n    when: above\n    threshold: 5%\n`,
    want: ':6:16: rules[0].threshold: latency threshold: found "5%"; expected a duration such as 300ms or 1.5s',
  },
  {
    name: 'a bitrate without a unit',
    text: `${head}    metric: bitrate\n    streams: [video_sent]\n    when: below\n    threshold: 500\n`,
    want: ':6:16: rules[0].threshold: bitrate threshold: found "500"; expected a bitrate such as 500kbps or 1.5Mbps',
  },
  {
    name: 'an unknown stream',
    text: `${head}    metric: jitter\n    streams: [audio_in]\n    when: above\n    threshold: 40ms\n`,
    want: ':4:15: rules[0].streams[0]: unknown stream "audio_in"; expected a stream name such as audio_input or a group:',
  },
  {
    // At the metric: it was said at the rule (2:5), as a missing setting.
    name: 'streams missing on a per-stream metric',
    text: `${head}    metric: jitter\n    when: above\n    threshold: 40ms\n`,
    want: ':3:5: rules[0].metric: "jitter" is measured per stream, and the rule names no streams; expected streams beside it, e.g. streams: [any_audio]',
  },
  {
    name: 'streams on a metric not measured per stream',
    text: `${head}    metric: cpu_zoom_avg\n    streams: [any_audio]\n    when: above\n    threshold: 80%\n`,
    want: ':4:14: rules[0].streams: "cpu_zoom_avg" is not measured per stream; expected no streams (remove the setting)',
  },
  {
    name: 'a recovery threshold on the wrong side',
    text: `${head}    metric: cpu_zoom_avg\n    when: above\n    threshold: 80%\n    recovery: { threshold: 90% }\n`,
    want: ':6:28: rules[0].recovery.threshold: found 90%; expected a recovery threshold at or below the threshold 80% (it is hysteresis)',
  },
  {
    name: 'an unknown template field',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    annotations:\n      summary: '{{participnt}} is weak'\n`,
    // At the field's own column (7:19), not the value's (7:16) as the old code said.
    want: ':7:19: rules[0].annotations.summary: unknown template field {{participnt}} (did you mean {{participant}}?); expected a field such as {{participant}}, {{topic}} or {{value}} (docs/rules.md, Templates, lists them)',
  },
  {
    name: 'an unknown template field like no known one',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    annotations:\n      summary: '{{zzqqxx}} is weak'\n`,
    want: ':7:19: rules[0].annotations.summary: unknown template field {{zzqqxx}}; expected a field such as {{participant}}, {{topic}} or {{value}} (docs/rules.md, Templates, lists them)',
  },
  {
    name: 'a template syntax error Mustache words itself (a bad delimiter change)',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    annotations:\n      summary: '{{= =}}'\n`,
    want: '; expected Mustache tags such as {{participant}} or {{#topic}}...{{/topic}}',
  },
  {
    name: '{{.}} outside a section (it would render the whole alert)',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    annotations:\n      summary: 'weak: {{.}}'\n`,
    want: ':7:25: rules[0].annotations.summary: {{.}} outside a section; expected it inside one, such as {{#topic}}in "{{.}}"{{/topic}}',
  },
  {
    name: 'an unknown key',
    text: `${head}    metric: wifi_rssi\n    when: below\n    treshold: -70dBm\n`,
    want: ':5:5: rules[0].treshold: unknown setting "treshold" (did you mean "threshold"?); expected one of: name, description, scope, sources, streams, metric, aggregate, when, threshold, for, recovery, severity, labels, annotations, filters, breaching, min_participants, group_by, mute_participant_alerts, explains, explained',
  },
  {
    name: 'an instance rule without breaching',
    text: `${head}    scope: instance\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n`,
    want: ':2:5: rules[0].breaching: missing required setting "breaching": an instance rule needs breaching; expected breaching: { count: N } or { ratio: X% }',
  },
  {
    name: 'a shared_cause rule without group_by',
    text: `${head}    scope: shared_cause\n    breaching: { count: 2 }\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n`,
    want: ':2:5: rules[0].group_by: missing required setting "group_by": a shared_cause rule needs group_by; expected one of: network_type, data_center,',
  },
  {
    name: 'an instance rule with group_by',
    text: `${head}    scope: instance\n    breaching: { count: 2 }\n    group_by: data_center\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n`,
    want: `:5:15: rules[0].group_by: "group_by" is for shared_cause rules; this rule's scope is instance; expected no group_by, or scope: shared_cause`,
  },
  {
    name: 'an instance rule with explains',
    text: `${head}    scope: instance\n    breaching: { count: 2 }\n    explains: true\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n`,
    want: `:5:15: rules[0].explains: "explains" is for shared_cause rules; this rule's scope is instance; expected no explains, or scope: shared_cause`,
  },
  {
    name: 'a shared_cause rule with explained',
    text: `${head}    scope: shared_cause\n    group_by: data_center\n    breaching: { count: 2 }\n    explained: { inhibit: false }\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n`,
    want: ':6:16: rules[0].explained: "explained" is for participant and instance rules: what a shared cause explains; expected no explained on a shared_cause rule',
  },
  {
    name: 'a participant rule with an explained ratio',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    explained: { ratio: 50% }\n`,
    want: ':6:25: rules[0].explained.ratio: "ratio" is for instance rules: a participant alert is explained or not; expected no ratio, or scope: instance',
  },
  {
    name: 'a participant rule with breaching',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    breaching: { count: 2 }\n`,
    want: `:6:16: rules[0].breaching: "breaching" is for instance and shared_cause rules; this rule's scope is participant; expected no breaching, or scope: instance or shared_cause`,
  },
  {
    name: 'a participant rule with group options',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    group_by: data_center\n`,
    want: `:6:15: rules[0].group_by: "group_by" is for shared_cause rules; this rule's scope is participant; expected no group_by, or scope: shared_cause`,
  },
  {
    name: 'a bad regular expression in a filter',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    filters: { topic: '/(/' }\n`,
    // It said "missing closing ): `(?i)(`": the (?i) qoswatch compiles it with is not in the file.
    want: ':6:23: rules[0].filters.topic: bad regular expression /(/: error parsing regexp: missing closing ): `(`; expected RE2 syntax (no backreferences or lookaround)',
  },
  {
    name: 'a filter on a field no source of the rule gives (role: meeting and webinar lists only)',
    text: `${head}    sources: [session]\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    filters: { role: host }\n`,
    want: ':7:16: rules[0].filters.role: "role" has no value for Video SDK sessions (Zoom gives it only in: participants list); expected sources that include meeting or webinar, or a field Video SDK sessions carry',
  },
  {
    name: 'a template field no source of the rule gives (Video SDK users lists are not read)',
    text: `${head}    sources: [session]\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    annotations:\n      summary: '{{participant}}: Zoom says {{audio_quality}}'\n`,
    want: ':8:16: rules[0].annotations.summary: "audio_quality" has no value for Video SDK sessions (Zoom gives it only in: participants list, Video SDK users list); expected sources that include meeting or webinar',
  },
  {
    // Alertmanager answers 400 to an alert with such a label: its alerts were never delivered (outside tester hT36, HIGH).
    name: 'a label name Alertmanager refuses',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    labels: { team-name: noc }\n`,
    want: ':6:15: rules[0].labels.team-name: found the name "team-name"; expected a label name of ASCII letters, digits and _, not starting with a digit or __ (Prometheus and Alertmanager refuse others)',
  },
  {
    name: 'a label qoswatch sets itself (severity would route it apart from its severity)',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    labels: { team: noc, severity: critical }\n`,
    want: ':6:26: rules[0].labels.severity: found the name "severity"; expected a label name of ASCII letters, digits and _, not starting with a digit or __ (Prometheus and Alertmanager refuse others), and not one qoswatch sets itself (alertname, severity, scope, kind, instance, instance_uuid, participant)',
  },
  {
    name: "a label named as the rule's group_by",
    text: `${head}    scope: shared_cause\n    group_by: data_center\n    breaching: { count: 2 }\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    labels: { data_center: x }\n`,
    want: `:9:28: rules[0].labels.data_center: "data_center" is this rule's group_by: the alert's label of that name is its group; expected another label name`,
  },
  {
    name: 'an annotation name Alertmanager refuses',
    text: `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    annotations: { runbook-url: x }\n`,
    want: ':6:20: rules[0].annotations.runbook-url: found the name "runbook-url"; expected an annotation name of ASCII letters, digits and _',
  },
  {
    name: 'a bad name',
    text: `rules:\n  - name: Bad Name\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n`,
    want: ':2:11: rules[0].name: found "Bad Name"; expected a name in lower case, digits, - and _, starting with a letter',
  },
];

describe('rule files are checked at load time, with file:line:col', () => {
  it.each(cases)('$name', ({ text, want }) => {
    const { file, message } = problems(text);
    for (const part of [want].flat())
      expect(message).toContain(part.startsWith(':') ? `${file}${part}` : part);
  });

  it('rejects a name used twice across files', () => {
    const rule = 'rules:\n  - name: same\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n';
    const a = writeRuleFile(rule);
    const b = writeRuleFile(rule);
    expect(() => loadRules([a, b])).toThrow(
      `${b}:2:11: rules[0].name: rule "same" is already defined in ${a}; expected a name no other rule has`,
    );
  });

  it('a file of a rule folder that links to another is said once, at the file, not per rule', () => {
    // A link made in a watched rule folder reloads the rules alone (no config check): the old
    // code said each of its rules "already defined" in the file it links to (tester, stop 41).
    const folder = mkdtempSync(join(tmpdir(), 'qw-rules-link-'));
    const rules = 'rules:\n  - { name: a1, metric: wifi_rssi, when: below, threshold: -70dBm }\n';
    writeFileSync(
      join(folder, 'a.yaml'),
      `${rules}  - { name: a2, metric: wifi_rssi, when: below, threshold: -80dBm }\n`,
    );
    symlinkSync('a.yaml', join(folder, 'b.yaml'));
    let message = '';
    try {
      loadRules([folder]);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      `${join(folder, 'b.yaml')}:1:1: the same file as ${join(folder, 'a.yaml')}, read by the rule paths already; expected each rule file once (its rules would be defined twice)`,
    );
  });

  it("skips a folder's hidden files: an editor's lock link or swap file is no rule file", () => {
    // Emacs keeps a dangling link `.#a.yaml` while a buffer is modified: every reload (and
    // start-up) failed with "cannot read: file not found" (outside tester, stop 34).
    const folder = mkdtempSync(join(tmpdir(), 'qw-rules-hidden-'));
    writeFileSync(
      join(folder, 'a.yaml'),
      'rules:\n  - name: weak-wifi\n    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n',
    );
    symlinkSync('user@host.1234:1700000000', join(folder, '.#a.yaml'));
    writeFileSync(join(folder, '.a.yaml.swp.yaml'), 'not: [a rule file');
    expect(loadRules([folder]).map((r) => r.name)).toEqual(['weak-wifi']);
  });

  it('loads the shipped default rules', () => {
    const rules = loadRules([fromRoot('rules')]);
    expect(rules.map((r) => r.name)).toContain('datacenter-loss-incident');
    expect(rules.every((r) => r.file.endsWith('default.yaml'))).toBe(true);
  });
});

describe('a bare number where a duration is wanted', () => {
  it('says a duration is expected and that the number needs its unit (for: 0, for: 5)', () => {
    for (const n of [0, 5]) {
      const { file, message } = problems(
        `${head}    metric: wifi_rssi\n    when: below\n    threshold: -70dBm\n    for: ${n}\n`,
      );
      expect(message).toContain(
        `${file}:6:10: rules[0].for: found ${n}; expected a duration such as 90s, 5m or 1h (a bare number has no unit: write ${n}s or ${n}m)`,
      );
    }
  });
});
