import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { AlertStateStore, restoredState } from '../../src/evaluate/state-store.js';
import { MIN, rulesFrom, sample, T } from '../helpers/rules.js';

/** A shared cause explaining meeting and participant alerts: which, how configured, and what happens when the cause ends first. */
const loss = { streams: ['any_audio'], metric: 'avg_loss', when: 'above' as const, threshold: '5%' };
const incident: Partial<RawRule> = {
  name: 'dc',
  scope: 'shared_cause',
  group_by: 'data_center',
  ...loss,
  breaching: { ratio: '30%' },
  min_participants: 3,
  explains: true,
};
const meeting = (extra: Partial<RawRule> = {}): Partial<RawRule> => ({
  name: 'mtg',
  scope: 'instance',
  ...loss,
  breaching: { ratio: '30%' },
  min_participants: 3,
  ...extra,
});
const participant: Partial<RawRule> = { name: 'p', ...loss, recovery: { threshold: '3%', for: '2m' } };

const at = (e: RuleEngine, m: number, who: [string, string, number][]): AlertChange[] =>
  e.handle({
    type: 'samples',
    samples: who.map(([p, dc, v]): QosSample => sample(p, m, { audio_input: { avgLoss: v } }, { dc })),
  });

describe('a meeting alert explained by a shared cause', () => {
  // m1: three NY participants breaching, one SC participant fine or breaching.
  const people = (scBreaching: boolean, ny = 0.09): [string, string, number][] => [
    ['a', 'NY', ny],
    ['b', 'NY', ny],
    ['c', 'NY', ny],
    ['s', 'SC', scBreaching ? 0.09 : 0.001],
  ];

  it.each([
    {
      name: 'all breaching participants in the incident: explained and held back',
      rule: meeting(),
      sc: false,
      by: 'dc|NY',
      held: true,
    },
    {
      name: 'one breaching participant elsewhere: not explained (default: all)',
      rule: meeting(),
      sc: true,
      by: undefined,
      held: false,
    },
    {
      name: 'explained.ratio 75%: three of four is enough',
      rule: meeting({ explained: { ratio: '75%' } }),
      sc: true,
      by: 'dc|NY',
      held: true,
    },
    {
      name: 'explained.inhibit false: marked explained, still sent',
      rule: meeting({ explained: { inhibit: false } }),
      sc: false,
      by: 'dc|NY',
      held: false,
    },
  ])('$name', ({ rule, sc, by, held }) => {
    const e = new RuleEngine(rulesFrom([incident, rule]), { gapToleranceMs: 5 * MIN });
    const out = at(e, 0, people(sc));
    const m = out.find((c) => c.alert.rule === 'mtg' && c.state === 'firing')!.alert;
    expect(m.explainedBy).toBe(by);
    expect(m.inhibitedBy).toBe(held ? 'dc|NY' : undefined);
    if (by)
      expect(m.explanation).toMatch(
        /^explained by dc\|NY: (all 3|3 of 4) breaching participants are in data_center NY$/,
      );
  });
});

describe('a member whose join changed data center without a new reading for the rule', () => {
  // t16 (issue 16 retest, HIGH): the meeting's members were shown with their join's context
  // now, not the one of the reading they hold, so the explanation moved with the join.
  it('is explained by the data center of the reading it holds', () => {
    const rules = rulesFrom([
      {
        ...meeting({ streams: ['any_audio'], metric: 'latency', threshold: '250ms', for: '1m' }),
        breaching: { count: 2 },
        min_participants: 2,
      },
      { ...incident, breaching: { count: 1 }, min_participants: 1 },
    ]);
    const e = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    const bad = { audio_input: { latency: 0.4, avgLoss: 0.08 } };
    e.handle({
      type: 'samples',
      samples: [sample('p1', 0, bad, { dc: 'SC' }), sample('p2', 0, bad, { dc: 'SC' })],
    });
    // p1 now reports NY and no audio this minute: its meeting reading is still its SC one.
    const out = e.handle({
      type: 'samples',
      samples: [
        sample('p1', 1, { video_input: { frameRate: 20 } }, { dc: 'NY' }),
        sample('p2', 1, bad, { dc: 'SC' }),
      ],
    });
    const m = out.find((c) => c.alert.rule === 'mtg' && c.state === 'firing')!.alert;
    expect(m.inhibitedBy).toBe('dc|SC');
    expect(m.explanation).toBe('explained by dc|SC: both breaching participants are in data_center SC');
  });
});

describe('shared causes grouped by any context field', () => {
  // Three participants on one network (or client version, or location) breaching in a meeting
  // of four: the incident of that group explains the meeting alert and the participant alerts.
  it.each([
    { groupBy: 'network_type', field: 'networkType', value: 'Cellular', other: 'Wired' },
    { groupBy: 'client_version', field: 'version', value: '5.9.0', other: '6.2.5' },
    { groupBy: 'location', field: 'location', value: 'Lagos (NG)', other: 'San Jose (US)' },
  ] as const)('group_by $groupBy', ({ groupBy, field, value, other }) => {
    const cause: Partial<RawRule> = { ...incident, name: 'cause', group_by: groupBy };
    const e = new RuleEngine(rulesFrom([cause, meeting(), participant]), { gapToleranceMs: 5 * MIN });
    const out = e.handle({
      type: 'samples',
      samples: ['a', 'b', 'c', 's'].map((p): QosSample =>
        sample(
          p,
          0,
          { audio_input: { avgLoss: p === 's' ? 0.001 : 0.09 } },
          {
            context: { [field]: p === 's' ? other : value },
          },
        ),
      ),
    });
    const fired = out.filter((c) => c.state === 'firing').map((c) => c.alert);
    expect(fired.map((a) => a.id).sort()).toEqual([
      `cause|${value}`,
      'mtg|meeting:m1',
      'p|meeting:m1/a',
      'p|meeting:m1/b',
      'p|meeting:m1/c',
    ]);
    for (const a of fired.filter((x) => x.rule !== 'cause'))
      expect(a.inhibitedBy, a.id).toBe(`cause|${value}`);
    expect(fired.find((a) => a.rule === 'mtg')?.explanation).toBe(
      `explained by cause|${value}: all 3 breaching participants are in ${groupBy} ${value}`,
    );
  });
});

describe('when the cause resolves first', () => {
  it('an explained alert still breaching at its next sample is sent; one recovering stays explained', () => {
    const e = new RuleEngine(rulesFrom([incident, participant]), { gapToleranceMs: 5 * MIN });
    const first = at(e, 0, [
      ['a', 'NY', 0.09],
      ['b', 'NY', 0.09],
      ['c', 'NY', 0.09],
    ]);
    expect(first.filter((c) => c.alert.rule === 'p').map((c) => c.alert.inhibitedBy)).toEqual([
      'dc|NY',
      'dc|NY',
      'dc|NY',
    ]);
    // Minute 1: b and c recover and d joins: 1 of 4 breaching is under 30%, the incident resolves.
    const next = at(e, 1, [
      ['a', 'NY', 0.09],
      ['b', 'NY', 0.001],
      ['c', 'NY', 0.001],
      ['d', 'NY', 0.001],
    ]);
    expect(next.find((c) => c.alert.rule === 'dc')?.state).toBe('resolved');
    // a's sample of the same minute comes after the incident's end and still breaches: it stands
    // on its own now, and a change says so (the dispatcher sends it).
    const stands = next.filter((c) => c.alert.rule === 'p' && c.state === 'firing');
    expect(stands.map((c) => [c.alert.labels.participant, c.previous, c.alert.inhibitedBy])).toEqual([
      ['a', 'firing', undefined],
    ]);
    expect(at(e, 2, [['a', 'NY', 0.09]]).filter((c) => c.alert.rule === 'p')).toEqual([]);
    // b and c are recovering: they stay explained by the resolved incident and resolve unsent.
    const active = e.active().filter((a) => a.rule === 'p');
    expect(active.map((a) => [a.labels.participant, a.inhibitedBy])).toEqual([
      ['a', undefined],
      ['b', 'dc|NY'],
      ['c', 'dc|NY'],
    ]);
  });
});

describe('a participant who moves out of the firing incident that explains it', () => {
  it('is sent at its first sample from elsewhere while the incident still fires (hT35 M4: held back until it ended)', () => {
    const e = new RuleEngine(rulesFrom([incident, participant]), { gapToleranceMs: 5 * MIN });
    const ny: [string, string, number][] = [
      ['b', 'NY', 0.09],
      ['c', 'NY', 0.09],
      ['d', 'NY', 0.001],
    ];
    const first = at(e, 0, [['a', 'NY', 0.09], ...ny]);
    expect(first.filter((c) => c.alert.rule === 'p').map((c) => c.alert.inhibitedBy)).toEqual([
      'dc|NY',
      'dc|NY',
      'dc|NY',
    ]);
    // Minute 1: a is in SC now, still losing packets; NY still fires (2 of 3).
    const next = at(e, 1, [['a', 'SC', 0.09], ...ny]);
    expect(e.current('dc|NY')?.state).toBe('firing');
    expect(
      next.map((c) => [c.alert.rule, c.alert.labels.participant, c.state, c.previous, c.alert.inhibitedBy]),
    ).toEqual([['p', 'a', 'firing', 'firing', undefined]]);
    // b stayed in NY: still explained, nothing sent.
    expect(e.current('p|meeting:m1/b')?.explainedBy).toBe('dc|NY');
    expect(e.current('p|meeting:m1/a')?.explainedBy).toBeUndefined();
    expect(at(e, 2, [['a', 'SC', 0.09], ...ny])).toEqual([]);
  });
});

describe('two incidents firing on the same data center', () => {
  // Two explaining rules group by data center: NY loses packets from minute 0 and its latency
  // rises from minute 1. The latency incident is listed first and made last.
  const byDc = (name: string, metric: Partial<RawRule>): Partial<RawRule> => ({
    ...incident,
    ...metric,
    name,
  });
  const rules = [
    byDc('dc-latency', { metric: 'latency', threshold: '300ms' }),
    byDc('dc-loss', {}),
    {
      name: 'p',
      streams: ['any_audio'],
      metric: 'latency',
      when: 'above' as const,
      threshold: '300ms',
      for: '2m',
    },
  ];
  const minute = (e: RuleEngine, m: number, loss: number, latency: number): AlertChange[] =>
    e.handle({
      type: 'samples',
      samples: ['a', 'b', 'c'].map((p) =>
        sample(p, m, { audio_input: { avgLoss: loss, latency } }, { dc: 'NY' }),
      ),
    });
  const explained = (e: RuleEngine): [string | undefined, string | undefined, string | undefined][] =>
    e
      .active()
      .filter((a) => a.rule === 'p')
      .map((a) => [a.state, a.explainedBy, a.explanation]);

  it('the one that fired first explains, pending alerts say so in words, the other takes over when it resolves', () => {
    const e = new RuleEngine(rulesFrom(rules), { gapToleranceMs: 5 * MIN });
    minute(e, 0, 0.09, 0.1);
    expect(e.active().map((a) => a.id)).toEqual(['dc-loss|NY']);
    minute(e, 1, 0.09, 0.5);
    expect(e.current('dc-latency|NY')?.state).toBe('firing');
    // Pending: what would explain it now, with the words the firing alert will carry.
    expect(explained(e)[0]).toEqual([
      'pending',
      'dc-loss|NY',
      'explained by dc-loss|NY: A is in data_center NY',
    ]);
    minute(e, 2, 0.09, 0.5);
    const fired = minute(e, 3, 0.09, 0.5).filter((c) => c.alert.rule === 'p');
    expect(fired.map((c) => [c.state, c.alert.inhibitedBy])).toEqual([
      ['firing', 'dc-loss|NY'],
      ['firing', 'dc-loss|NY'],
      ['firing', 'dc-loss|NY'],
    ]);
    // The loss incident resolves; the participants still breach and the latency incident
    // explains them now: still held back, no change sent.
    const next = minute(e, 4, 0.001, 0.5);
    expect(next.map((c) => [c.alert.id, c.state])).toEqual([['dc-loss|NY', 'resolved']]);
    minute(e, 5, 0.001, 0.5);
    expect(explained(e)[0]).toEqual([
      'firing',
      'dc-latency|NY',
      'explained by dc-latency|NY: A is in data_center NY',
    ]);
  });
});

describe('an incident that fires and resolves inside one backlog poll', () => {
  // One poll brings minutes 0..9 at once (after an outage, or a deferred cycle): a, b and c
  // (NY) lose packets in minutes 0..4 and recover from minute 5. The incident fires at minute
  // 0 and resolves at minute 5, all within the one batch.
  const backlog = (): QosSample[] =>
    Array.from({ length: 10 }, (_, m) =>
      ['a', 'b', 'c'].map((p) =>
        sample(p, m, { audio_input: { avgLoss: m < 5 ? 0.09 : 0.001 } }, { dc: 'NY' }),
      ),
    ).flat();

  it('explains the participant alerts that fired while it was firing, and sends none of them', () => {
    const e = new RuleEngine(rulesFrom([incident, participant]), { gapToleranceMs: 5 * MIN });
    const out = e.handle({ type: 'samples', samples: backlog() });
    expect(out.filter((c) => c.alert.rule === 'dc').map((c) => c.state)).toEqual(['firing', 'resolved']);
    const fired = out.filter((c) => c.alert.rule === 'p' && c.state === 'firing');
    expect(fired.map((c) => [c.alert.labels.participant, c.alert.inhibitedBy])).toEqual([
      ['a', 'dc|NY'],
      ['b', 'dc|NY'],
      ['c', 'dc|NY'],
    ]);
    // They recovered with the incident: they resolve, still explained, so nothing is sent.
    const resolved = out.filter((c) => c.alert.rule === 'p' && c.state === 'resolved');
    expect(resolved.map((c) => [c.alert.labels.participant, c.alert.inhibitedBy])).toEqual([
      ['a', 'dc|NY'],
      ['b', 'dc|NY'],
      ['c', 'dc|NY'],
    ]);
  });

  it('the same minutes polled one by one give the same alerts', () => {
    const e = new RuleEngine(rulesFrom([incident, participant]), { gapToleranceMs: 5 * MIN });
    const samples = backlog();
    const out = Array.from({ length: 10 }, (_, m) =>
      e.handle({ type: 'samples', samples: samples.filter((s) => s.time === T + m * MIN) }),
    ).flat();
    const batch = new RuleEngine(rulesFrom([incident, participant]), { gapToleranceMs: 5 * MIN }).handle({
      type: 'samples',
      samples,
    });
    const view = (cs: AlertChange[]): string[] =>
      cs
        .filter((c) => c.state !== 'pending')
        .map((c) => `${c.alert.id} ${c.state} ${c.alert.inhibitedBy ?? '-'} ${c.alert.lastSampleAt}`)
        .sort();
    expect(view(batch)).toEqual(view(out));
  });

  it('a participant still breaching after it resolved stands on its own and is sent', () => {
    const e = new RuleEngine(rulesFrom([incident, participant]), { gapToleranceMs: 5 * MIN });
    // a keeps losing packets after b and c recover at minute 5; d and f (healthy) make that 1
    // of 5 breaching, under the incident's 30%, so it resolves while a still breaches.
    const samples = backlog().map((s) =>
      s.participant.key === 'a'
        ? sample('a', (s.time - T) / MIN, { audio_input: { avgLoss: 0.09 } }, { dc: 'NY' })
        : s,
    );
    for (let m = 0; m < 10; m++)
      for (const p of ['d', 'f'])
        samples.push(sample(p, m, { audio_input: { avgLoss: 0.001 } }, { dc: 'NY' }));
    const out = e.handle({ type: 'samples', samples });
    expect(out.filter((c) => c.alert.rule === 'dc').map((c) => c.state)).toEqual(['firing', 'resolved']);
    const a = out.filter((c) => c.alert.labels.participant === 'a' && c.state === 'firing');
    expect(a.map((c) => [c.previous, c.alert.inhibitedBy ?? '-'])).toEqual([
      ['inactive', 'dc|NY'],
      ['firing', '-'],
    ]);
  });
});

describe('a restart after an outage longer than gap_tolerance', () => {
  // Six NY participants in two meetings: the incident needs both (min_participants 5).
  const rules = rulesFrom([{ ...incident, min_participants: 5 }]);
  const meeting = (inst: string, m: number, avgLoss = 0.09): QosSample[] =>
    ['a', 'b', 'c'].map((p) =>
      sample(`${inst}-${p}`, m, { audio_input: { avgLoss } }, { instance: inst, dc: 'NY' }),
    );
  const minutes = (inst: string, from: number, to: number, avgLoss?: number): QosSample[] =>
    Array.from({ length: to - from + 1 }, (_, i) => meeting(inst, from + i, avgLoss)).flat();
  /** The incident fired from both meetings at minute 0, saved, and a new engine restored from the file. */
  function restarted(): RuleEngine {
    const before = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    const fired = before.handle({ type: 'samples', samples: [...meeting('m1', 0), ...meeting('m2', 0)] });
    expect(fired.map((c) => `${c.alert.id}:${c.state}`)).toEqual(['dc|NY:firing']);
    const store = new AlertStateStore(mkdtempSync(join(tmpdir(), 'qw-state-')));
    store.save(before.state, new Map());
    const saved = store.load();
    return new RuleEngine(rules, { gapToleranceMs: 5 * MIN }, restoredState(saved.series, saved.members));
  }
  const states = (changes: AlertChange[]): string[] => changes.map((c) => `${c.alert.id}:${c.state}`);

  it('judges no meeting alone while the other has not reported since the start, nor on its late backlog', () => {
    const e = restarted();
    // Eight minutes later, m1 reports its backlog first: m2's saved readings are too old to count.
    expect(e.handle({ type: 'samples', samples: minutes('m1', 1, 8) })).toEqual([]);
    // m2's backlog a cycle later, minutes behind m1's newest reading: still no recovery.
    expect(e.handle({ type: 'samples', samples: minutes('m2', 1, 9) })).toEqual([]);
    expect(e.active().map((a) => `${a.id}:${a.state}`)).toEqual(['dc|NY:firing']);
    // A real recovery, both meetings reporting, resolves it.
    const recovered = [...meeting('m1', 10, 0.001), ...meeting('m2', 10, 0.001)];
    expect(states(e.handle({ type: 'samples', samples: recovered }))).toEqual(['dc|NY:resolved']);
  });

  it('once the other meeting is known to have ended, judges the rest on their own', () => {
    const e = restarted();
    expect(e.reconcile(new Set(['meeting:m1']), T + 8 * MIN)).toEqual([]);
    // m1's three, still breaching, keep it firing: fewer than min_participants is no recovery.
    expect(e.handle({ type: 'samples', samples: minutes('m1', 8, 8) })).toEqual([]);
    // Judged on their own, not waiting for m2: back, they resolve it.
    expect(states(e.handle({ type: 'samples', samples: minutes('m1', 9, 9, 0.001) }))).toEqual([
      'dc|NY:resolved',
    ]);
  });
});
