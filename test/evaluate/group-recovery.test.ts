import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFailures, runRuleTestFile } from '../../src/evaluate/rule-tests.js';
import { fromRoot } from '../../src/util/package-root.js';
import { writeRuleFile } from '../helpers/rules.js';

/**
 * When a firing meeting or shared-cause alert recovers (docs/rules.md, "Scopes" and
 * "Lifecycle"), as `qoswatch test-rules` tables: its members' recovery threshold holds it
 * between the two thresholds, and members who go silent or leave are no recovery.
 */
function run(name: string, table: string): string {
  const file = join(dirname(writeRuleFile('rules: []\n')), `${name}.test.yaml`);
  writeFileSync(file, table);
  const result = runRuleTestFile(file);
  expect(result.errors).toEqual([]);
  return formatFailures([result]);
}

const member = (p: string, instance: string, series: string): string =>
  `      - { participant: ${p}, instance: ${instance}, context: { data_center: NY }, series: { ${series} } }\n`;

describe('a firing group alert with a recovery threshold', () => {
  it('stays firing between the two thresholds and resolves once back past the recovery threshold for recovery.for', () => {
    const loss = `streams: [any_audio], metric: avg_loss, when: above, threshold: 10%, breaching: { count: 2 }, min_participants: 2, for: 0m, recovery: { threshold: 4%, for: 2m }`;
    const rules = writeRuleFile(
      `rules:\n` +
        `  - { name: dc-loss, scope: shared_cause, group_by: data_center, ${loss} }\n` +
        `  - { name: meeting-loss, scope: instance, ${loss} }\n`,
    );
    const values = 'audio_input.avg_loss: 12% 12% 8% 8% 8% 8% 3% 3% 3% 3%';
    const both = (state: string, extra = ''): string =>
      `[{ rule: dc-loss, state: ${state}${extra} }, { rule: meeting-loss, state: ${state}${extra} }]`;
    const failures = run(
      'hysteresis',
      `rule_files: [${rules}]\ntests:\n  - name: 8% is between 10% and 4%\n    input:\n` +
        member('a', 'm1', values) +
        member('b', 'm1', values) +
        `    expect:\n` +
        `      - { at: 1m, alerts: ${both('firing')} }\n` +
        // 8% from 2m: under the threshold, not under the recovery threshold (this resolved at 4m).
        `      - { at: 5m, alerts: ${both('firing')} }\n` +
        // 3% from 6m: recovering, for two minutes.
        `      - { at: 7m, alerts: ${both('firing')} }\n` +
        `      - { at: 8m, alerts: ${both('resolved', ', reason: recovered')} }\n`,
    );
    expect(failures).toBe('');
  });
});

describe('a firing data-center incident whose members stop counting', () => {
  const incident = (state: string, summary?: string): string =>
    `{ rule: datacenter-loss-incident, state: ${state}${state === 'resolved' ? ', reason: recovered' : ''}` +
    (summary ? `, annotations: { summary: '${summary}' } }` : ' }');
  const firing = (ps: string): string =>
    ps
      .split('')
      .map((p) => `{ rule: audio-loss-high, state: firing, labels: { participant: ${p} } }`)
      .join(', ');
  const resolved = (ps: string): string =>
    ps
      .split('')
      .map(
        (p) => `{ rule: audio-loss-high, state: resolved, reason: recovered, labels: { participant: ${p} } }`,
      )
      .join(', ');
  const abc = 'audio_input.avg_loss: 12% x10 1% x4';
  const back =
    'Data center NY: audio loss back under 5.0% for all 3 participants (was above for 10 min, at worst for 100% of participants)';
  const all5 =
    'Data center NY: audio loss back under 5.0% for all 5 participants (was above for 12 min, at worst for 100% of participants)';

  it('stays firing while two of five are silent, however the rest do, and resolves when those two are back', () => {
    const de = 'audio_input.avg_loss: 12% x4 _ x8 1% x2, video_input.frame_rate: 25fps x14';
    const failures = run(
      'silent',
      `rule_files: [${fromRoot('rules', 'default.yaml')}]\ntests:\n  - name: d and e mute, their video goes on\n    input:\n` +
        member('a', 'm1', abc) +
        member('b', 'm1', abc) +
        member('c', 'm2', abc) +
        member('d', 'm2', de) +
        member('e', 'm3', de) +
        `    expect:\n` +
        `      - { at: 3m, alerts: [${incident('firing')}, ${firing('abcde')}] }\n` +
        // d and e's minute 3 counted to 8m (gap_tolerance): from 9m 3 have data, fewer than 5.
        // b17f80e's engine resolved at 9m ("back under 5.0% for none of the 3 participants").
        `      - { at: 9m, alerts: [${incident('firing')}, ${firing('abcde')}] }\n` +
        // a, b, c back at 10m; d and e, silent, count as they last read (their own alerts wait
        // too): this resolved at 10m, the incident gone while d and e's alerts it explained fired.
        `      - { at: 11m, alerts: [${incident('firing')}, ${firing('de')}, ${resolved('abc')}] }\n` +
        // Back at 12m, d and e resolve it (their own alerts, recovering, wait out recovery.for).
        `      - { at: 12m, alerts: [${incident('resolved', all5)}, ${firing('de')}] }\n`,
    );
    expect(failures).toBe('');
  });

  it('stays firing while two of five leave, and resolves when the rest are back', () => {
    const failures = run(
      'leaving',
      `rule_files: [${fromRoot('rules', 'default.yaml')}]\ntests:\n  - name: d and e leave\n    input:\n` +
        member('a', 'm1', abc) +
        member('b', 'm1', abc) +
        member('c', 'm2', abc) +
        member('d', 'm2', 'audio_input.avg_loss: 12% x4') +
        member('e', 'm3', 'audio_input.avg_loss: 12% x4') +
        `    events:\n      - { at: 4m, left: { participant: d, instance: m2 } }\n      - { at: 4m, left: { participant: e, instance: m3 } }\n` +
        `    expect:\n` +
        `      - { at: 3m, alerts: [${incident('firing')}, ${firing('abcde')}] }\n` +
        `      - at: 4m\n        alerts: [${incident('firing')}, ${firing('abc')}, { rule: audio-loss-high, state: resolved, reason: left, labels: { participant: d } }, { rule: audio-loss-high, state: resolved, reason: left, labels: { participant: e } }]\n` +
        // This resolved at 5m, the first minute judged with 3 members.
        `      - { at: 5m, alerts: [${incident('firing')}, ${firing('abc')}] }\n` +
        `      - { at: 10m, alerts: [${incident('resolved', back)}, ${firing('abc')}] }\n`,
    );
    expect(failures).toBe('');
  });
});

describe('a firing data-center incident whose members are all gone', () => {
  const five = (events: string): string =>
    `rule_files: [${fromRoot('rules', 'default.yaml')}]\ntests:\n  - name: all gone\n    input:\n` +
    ['a', 'b'].map((p) => member(p, 'm1', 'audio_input.avg_loss: 12% x5')).join('') +
    ['c', 'd'].map((p) => member(p, 'm2', 'audio_input.avg_loss: 12% x5')).join('') +
    member('e', 'm3', 'audio_input.avg_loss: 12% x5') +
    `    events:\n${events}`;
  const incident = (state: string, reason = ''): string =>
    `{ rule: datacenter-loss-incident, state: ${state}${reason ? `, reason: ${reason}` : ''} }`;
  const each = (state: string, reason = ''): string =>
    'abcde'
      .split('')
      .map(
        (p) =>
          `{ rule: audio-loss-high, state: ${state}${reason ? `, reason: ${reason}` : ''}, labels: { participant: ${p} } }`,
      )
      .join(', ');

  it('resolves as ended when its last meeting ends, not never', () => {
    const failures = run(
      'all-ended',
      five(['m1', 'm2', 'm3'].map((m) => `      - { at: 5m, ended: ${m} }\n`).join('')) +
        `    expect:\n      - { at: 3m, alerts: [${incident('firing')}, ${each('firing')}] }\n` +
        // This stayed firing: at 19m nothing had looked at the group again.
        `      - { at: 19m, alerts: [${incident('resolved', 'ended')}, ${each('resolved', 'ended')}] }\n`,
    );
    expect(failures).toBe('');
  });

  it('resolves as left when its last member leaves while breaching, not never', () => {
    const left = (p: string, m: string, at: number): string =>
      `      - { at: ${at}m, left: { participant: ${p}, instance: ${m} } }\n`;
    const failures = run(
      'all-left',
      five(
        left('a', 'm1', 4) +
          left('b', 'm1', 4) +
          left('c', 'm2', 4) +
          left('d', 'm2', 4) +
          left('e', 'm3', 5),
      ) +
        `    expect:\n      - { at: 3m, alerts: [${incident('firing')}, ${each('firing')}] }\n` +
        `      - { at: 19m, alerts: [${incident('resolved', 'left')}, ${each('resolved', 'left')}] }\n`,
    );
    expect(failures).toBe('');
  });
});

describe('a firing group alert whose breaching members only go silent', () => {
  it('stays firing with a healthy member present all along, and resolves when the silent ones are back', () => {
    const loss = `streams: [any_audio], metric: avg_loss, when: above, threshold: 10%, for: 1m, recovery: { threshold: 5%, for: 1m }, breaching: { count: 2 }, min_participants: 3`;
    const rules = writeRuleFile(
      `rules:\n` +
        `  - { name: mtg-loss, scope: instance, ${loss} }\n` +
        `  - { name: dc-loss, scope: shared_cause, group_by: data_center, ${loss} }\n`,
    );
    const abc = 'audio_input.avg_loss: 12% x3 _ x12 1% x3';
    const both = (state: string): string =>
      `[{ rule: mtg-loss, state: ${state} }, { rule: dc-loss, state: ${state} }]`;
    const failures = run(
      'silent-healthy',
      `rule_files: [${rules}]\ntests:\n  - name: a, b, c mute, d reports 1%\n    input:\n` +
        member('a', 'm1', abc) +
        member('b', 'm1', abc) +
        member('c', 'm1', abc) +
        member('d', 'm1', 'audio_input.avg_loss: 1% x18') +
        `    expect:\n` +
        `      - { at: 2m, alerts: ${both('firing')} }\n` +
        // a, b, c's minute 2 counted to 7m: from 8m d alone has data. This resolved at 9m
        // ("recovered": d back, the only one with data), a, b and c's own alerts still firing.
        `      - { at: 8m, alerts: ${both('firing')} }\n` +
        `      - { at: 14m, alerts: ${both('firing')} }\n` +
        `      - { at: 15m, alerts: ${both('firing')} }\n` +
        `      - { at: 16m, alerts: [{ rule: mtg-loss, state: resolved, reason: recovered }, { rule: dc-loss, state: resolved, reason: recovered }] }\n`,
    );
    expect(failures).toBe('');
  });

  it('stays firing when a healthy member joins while the five who fired it are silent (the shipped incident)', () => {
    const silent = 'audio_input.avg_loss: 12% x4 _ x12';
    const failures = run(
      'silent-newcomer',
      `rule_files: [${fromRoot('rules', 'default.yaml')}]\ntests:\n  - name: five mute, f joins healthy\n    input:\n` +
        ['a', 'b', 'c'].map((p) => member(p, 'm1', silent)).join('') +
        ['d', 'e'].map((p) => member(p, 'm2', silent)).join('') +
        `      - { participant: f, instance: m2, start: 10m, context: { data_center: NY }, series: { audio_input.avg_loss: 0.5% x6 } }\n` +
        `    expect:\n` +
        // This resolved at 10m ("recovered", f back), the five participant alerts it explained firing.
        ['9m', '10m', '13m', '15m']
          .map(
            (at) =>
              `      - { at: ${at}, alerts: [{ rule: datacenter-loss-incident, state: firing }, { rule: meeting-audio-degraded, state: firing, labels: { instance: m1 } }, ` +
              'abcde'
                .split('')
                .map((p) => `{ rule: audio-loss-high, state: firing, labels: { participant: ${p} } }`)
                .join(', ') +
              `] }\n`,
          )
          .join(''),
    );
    expect(failures).toBe('');
  });
});
