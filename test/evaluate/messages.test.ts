import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Alert, AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { fromRoot } from '../../src/util/package-root.js';
import { MIN, T, writeRuleFile } from '../helpers/rules.js';

/**
 * The default rules' messages, read as a person reads them: the first firing text, the
 * reminder, and the resolve, with named people, guests, one person on two devices, and one
 * or several participants.
 */
const RULES = loadRules([fromRoot('rules', 'default.yaml')]);

/** A pushed meeting's UUID, before any event or discovery named it (its topic is ''). */
const UNNAMED = '4444AAAiAAAAAiAiAiiAii==';

interface Who {
  key: string;
  name: string;
  device?: string;
  network?: string;
  dc?: string;
  instance?: string;
}

function sampleOf(w: Who, minute: number, metrics: Partial<QosSample>): QosSample {
  const inst = w.instance ?? 'm1';
  return {
    instance: {
      kind: 'meeting',
      id: inst,
      uuid: inst,
      // A UUID for a meeting no push or discovery has named yet: its topic is unknown.
      topic: inst === 'm1' ? 'Weekly sync' : inst === UNNAMED ? '' : `Topic ${inst}`,
    },
    participant: { key: w.key, name: w.name, email: '', ip: '' },
    context: { networkType: w.network ?? 'Wifi', device: w.device ?? 'Windows', dataCenter: w.dc ?? 'SC' },
    time: T + minute * MIN,
    streams: {},
    ...metrics,
  };
}

/** Runs minutes of samples through the default rules; returns the firing, repeat and resolved texts of one rule. */
function phases(
  rule: string,
  people: Who[],
  minutes: number,
  at: (w: Who, minute: number) => Partial<QosSample>,
  pick: (a: Alert) => boolean = () => true,
): { firing?: string; repeat?: string; resolved?: string } {
  const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
  const out: { firing?: string; repeat?: string; resolved?: string } = {};
  const changes: AlertChange[] = [];
  for (let m = 0; m < minutes; m++) {
    changes.push(...engine.handle({ type: 'samples', samples: people.map((w) => sampleOf(w, m, at(w, m))) }));
    const live = engine.active().find((a) => a.rule === rule && a.state === 'firing' && pick(a));
    if (live && m === 6) out.repeat = live.repeatAnnotations?.summary;
  }
  for (const c of changes) {
    if (c.alert.rule !== rule || !pick(c.alert)) continue;
    if (c.state === 'firing' && !out.firing) out.firing = c.alert.annotations.summary;
    if (c.state === 'resolved') out.resolved = c.alert.annotations.summary;
  }
  return out;
}

const bob: Who = { key: '16778240', name: 'Bob Okafor' };
const guest: Who = { key: '16781312', name: '' };
const james: Who = { key: '16785408', name: 'James Ross' };
/** Bob's audio latency alert resolved because he left at minute 4, after 3 minutes above 300 ms. */
function leftText(): string | undefined {
  const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
  for (let m = 0; m < 4; m++)
    engine.handle({
      type: 'samples',
      samples: [sampleOf(bob, m, { streams: { audio_input: { latency: 0.45 } } })],
    });
  const [left] = engine.handle({
    type: 'left',
    instance: sampleOf(bob, 4, {}).instance,
    participant: bob.key,
    at: T + 4 * MIN,
  });
  return left?.alert.annotations.summary;
}

/** Breach for minutes 0-6, recover from minute 7: fires at 2m, reminds at 6m, resolves after the recovery time. */
const bad = (m: number): boolean => m < 7;

describe('default rules: firing, repeat and resolved texts of participant rules', () => {
  it.each([
    {
      name: 'audio-latency-high, a named person',
      rule: 'audio-latency-high',
      who: bob,
      metrics: (m: number) => ({ streams: { audio_input: { latency: bad(m) ? 0.45 : 0.133 } } }),
      firing: `Bob Okafor's audio latency is 450 ms in "Weekly sync" (above 300 ms for 2 min)`,
      repeat: `Bob Okafor's audio latency is still 450 ms in "Weekly sync" (above 300 ms for 6 min)`,
      resolved: `Bob Okafor's audio latency is back to 133 ms in "Weekly sync" (was above 300 ms for 7 min, worst 450 ms)`,
    },
    {
      name: 'audio-jitter-high, a name ending in s',
      rule: 'audio-jitter-high',
      who: james,
      metrics: (m: number) => ({ streams: { audio_output: { jitter: bad(m) ? 0.06 : 0.01 } } }),
      firing: `James Ross' audio jitter is 60 ms in "Weekly sync" (above 40 ms for 2 min)`,
      repeat: `James Ross' audio jitter is still 60 ms in "Weekly sync" (above 40 ms for 6 min)`,
      resolved: `James Ross' audio jitter is back to 10 ms in "Weekly sync" (was above 40 ms for 7 min, worst 60 ms)`,
    },
    {
      name: 'audio-loss-high, a guest without a name',
      rule: 'audio-loss-high',
      who: guest,
      metrics: (m: number) => ({ streams: { audio_input: { avgLoss: bad(m) ? 0.093 : 0.004 } } }),
      firing: `Guest 16781312's (Windows, Wi-Fi) audio loss is 9.3% in "Weekly sync" (above 5.0% for 2 min)`,
      repeat: `Guest 16781312's (Windows, Wi-Fi) audio loss is still 9.3% in "Weekly sync" (above 5.0% for 6 min)`,
      resolved: `Guest 16781312's (Windows, Wi-Fi) audio loss is back to 0.4% in "Weekly sync" (was above 5.0% for 7 min, worst 9.3%)`,
    },
    {
      name: 'video-frame-rate-collapse',
      rule: 'video-frame-rate-collapse',
      who: bob,
      metrics: (m: number) => ({ streams: { video_input: { frameRate: bad(m) ? 4 : 24 } } }),
      firing: `Bob Okafor's sent video frame rate is 4 fps in "Weekly sync" (below 10 fps for 2 min)`,
      repeat: `Bob Okafor's sent video frame rate is still 4 fps in "Weekly sync" (below 10 fps for 6 min)`,
      resolved: `Bob Okafor's sent video frame rate is back to 24 fps in "Weekly sync" (was below 10 fps for 7 min, worst 4 fps)`,
    },
    {
      name: 'zoom-cpu-pegged',
      rule: 'zoom-cpu-pegged',
      who: bob,
      metrics: (m: number) => ({ cpu: { zoomAvg: bad(m) ? 0.96 : 0.3 } }),
      firing: `Bob Okafor's Zoom CPU use is 96% in "Weekly sync" (above 80% for 2 min)`,
      repeat: `Bob Okafor's Zoom CPU use is still 96% in "Weekly sync" (above 80% for 6 min)`,
      resolved: `Bob Okafor's Zoom CPU use is back to 30% in "Weekly sync" (was above 80% for 7 min, worst 96%)`,
    },
    {
      name: 'wifi-signal-weak',
      rule: 'wifi-signal-weak',
      who: bob,
      metrics: (m: number) => ({ wifi: { avg: bad(m) ? -82 : -60 } }),
      firing: `Bob Okafor's Wi-Fi signal is -82 dBm in "Weekly sync" (below -75 dBm for 3 min)`,
      repeat: `Bob Okafor's Wi-Fi signal is still -82 dBm in "Weekly sync" (below -75 dBm for 6 min)`,
      resolved: `Bob Okafor's Wi-Fi signal is back to -60 dBm in "Weekly sync" (was below -75 dBm for 7 min, worst -82 dBm)`,
    },
  ])('$name', ({ rule, who, metrics, firing, repeat, resolved }) => {
    expect(phases(rule, [who], 12, (_, m) => metrics(m))).toEqual({ firing, repeat, resolved });
  });

  it('one person on two devices: each alert says which device', () => {
    const mac = { ...bob, key: '16778240', device: 'Mac' };
    const phone = { ...bob, key: '16779264', device: 'iPhone' };
    const texts = phases('audio-latency-high', [mac, phone], 12, (w, m) => ({
      streams: { audio_input: { latency: w === phone && bad(m) ? 0.45 : 0.1 } },
    }));
    expect(texts.firing).toBe(
      `Bob Okafor's (iPhone) audio latency is 450 ms in "Weekly sync" (above 300 ms for 2 min)`,
    );
    expect(texts.resolved).toBe(
      `Bob Okafor's (iPhone) audio latency is back to 100 ms in "Weekly sync" (was above 300 ms for 7 min, worst 450 ms)`,
    );
  });

  it("two devices whose names hold the owner's (Zoom's \"Bob Okafor's Mac\"): the name is not said twice", () => {
    const mac = { ...bob, key: '16778240', device: "Bob Okafor's Mac" };
    const phone = { ...bob, key: '16779264', device: 'Bob Okafor’s iPhone' };
    const texts = phases('audio-latency-high', [mac, phone], 12, (w, m) => ({
      streams: { audio_input: { latency: w === phone && bad(m) ? 0.45 : 0.1 } },
    }));
    expect(texts.firing).toBe(
      `Bob Okafor's (iPhone) audio latency is 450 ms in "Weekly sync" (above 300 ms for 2 min)`,
    );
  });

  it('a guest on a wired Mac (outside tester): its join id is its name, its network written as Wi-Fi is', () => {
    // Was "Guest's (join 16778242, Mac, wired) audio loss": the possessive on "Guest", "wired" lower-case.
    const wired: Who = { key: '16778242', name: '', device: 'Mac', network: 'wired' };
    const texts = phases('audio-loss-high', [wired], 12, (_, m) => ({
      streams: { audio_input: { avgLoss: bad(m) ? 0.093 : 0.004 } },
    }));
    expect(texts.firing).toBe(
      `Guest 16778242's (Mac, Wired) audio loss is 9.3% in "Weekly sync" (above 5.0% for 2 min)`,
    );
  });

  it('a participant who leaves after a minute back under the threshold: the resolve says the worst, not that last sample', () => {
    // Was "Bob Okafor left "Weekly sync"; audio latency was 55 ms (above 300 ms for 4 min)".
    const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
    const latencies = [0.45, 0.62, 0.4, 0.35, 0.055];
    latencies.forEach((latency, m) =>
      engine.handle({
        type: 'samples',
        samples: [sampleOf(bob, m, { streams: { audio_input: { latency } } })],
      }),
    );
    const [left] = engine.handle({
      type: 'left',
      instance: sampleOf(bob, 4, {}).instance,
      participant: bob.key,
      at: T + 4 * MIN + 30_000,
    });
    expect(left?.alert.annotations.summary).toBe(
      `Bob Okafor left "Weekly sync"; audio latency was above 300 ms for 4 min, worst 620 ms`,
    );
  });

  it('a participant who leaves: the resolve says so, not "back to"', () => {
    expect(leftText()).toBe(
      `Bob Okafor left "Weekly sync"; audio latency was above 300 ms for 3 min, worst 450 ms`,
    );
  });
});

describe('default rules: meeting and data-center texts, one and several participants', () => {
  const room = (n: number, instance = 'm1', dc = 'SC'): Who[] =>
    Array.from({ length: n }, (_, i) => ({ key: `${instance}-${i}`, name: `P${i}`, instance, dc }));
  const loss = (breaching: number) => (w: Who, m: number) => ({
    streams: { audio_input: { avgLoss: bad(m) && Number(w.key.split('-')[1]) < breaching ? 0.09 : 0.004 } },
  });

  it.each([
    {
      breaching: 1,
      firing: `Bad audio (loss above 5.0%) for 1 of 3 participants in "Weekly sync" for 2 min`,
      repeat: `Still bad audio (loss above 5.0%) for 1 of 3 participants in "Weekly sync" for 6 min`,
      resolved: `Audio loss back under 5.0% for all 3 participants in "Weekly sync" (was bad for 7 min, at worst for 33.3% of participants)`,
    },
    {
      breaching: 3,
      firing: `Bad audio (loss above 5.0%) for all 3 participants in "Weekly sync" for 2 min`,
      repeat: `Still bad audio (loss above 5.0%) for all 3 participants in "Weekly sync" for 6 min`,
      resolved: `Audio loss back under 5.0% for all 3 participants in "Weekly sync" (was bad for 7 min, at worst for 100% of participants)`,
    },
  ])('meeting-audio-degraded, $breaching of 3 breaching', ({ breaching, firing, repeat, resolved }) => {
    expect(phases('meeting-audio-degraded', room(3), 12, loss(breaching))).toEqual({
      firing,
      repeat,
      resolved,
    });
  });

  it('datacenter-loss-incident across two meetings', () => {
    const people = [...room(4, 'm1', 'NY'), ...room(3, 'm2', 'NY')];
    expect(phases('datacenter-loss-incident', people, 12, loss(2))).toEqual({
      firing: 'Data center NY: audio loss above 5.0% for 4 of 7 participants in 2 meetings for 2 min',
      repeat: 'Data center NY: audio loss still above 5.0% for 4 of 7 participants in 2 meetings for 6 min',
      resolved:
        'Data center NY: audio loss back under 5.0% for all 7 participants (was above for 7 min, at worst for 57% of participants)',
    });
  });
});

/** datacenter-loss-incident's firing text when 7, 6, then 5 of 7 participants in NY (4 in m1, 3 in m2) breach. */
function dcPastWorst(): string | undefined {
  const people = (['m1', 'm2'] as const).flatMap((instance, k) =>
    Array.from({ length: k ? 3 : 4 }, (_, i) => ({
      key: `${instance}-${i}`,
      name: `P${i}`,
      instance,
      dc: 'NY',
    })),
  );
  const counts = [7, 6, 5];
  return phases('datacenter-loss-incident', people, 3, (w, m) => {
    const i = Number(w.key.split('-')[1]) + (w.instance === 'm2' ? 4 : 0);
    return { streams: { audio_input: { avgLoss: i < (counts[m] ?? 0) ? 0.09 : 0.004 } } };
  }).firing;
}

describe('default rules: a group that fires past its worst says it, as a participant does', () => {
  const room = (n: number, instance = 'm1', dc = 'SC'): Who[] =>
    Array.from({ length: n }, (_, i) => ({ key: `${instance}-${i}`, name: `P${i}`, instance, dc }));
  /** `counts[m]` breaching at minute m (the first of the room), healthy after. */
  const breachingAt = (counts: number[]) => (w: Who, m: number) => ({
    streams: { audio_input: { avgLoss: Number(w.key.split('-')[1]) < (counts[m] ?? 0) ? 0.09 : 0.004 } },
  });

  it('meeting-audio-degraded: 3, 2, then 1 of 3 breaching: fires with the 100% before it', () => {
    expect(phases('meeting-audio-degraded', room(3), 3, breachingAt([3, 2, 1])).firing).toBe(
      `Bad audio (loss above 5.0%) for 1 of 3 participants in "Weekly sync" for 2 min (at worst for 100% of participants)`,
    );
  });

  it('datacenter-loss-incident: 7, 6, then 5 of 7 breaching: fires with the 100% before it', () => {
    expect(dcPastWorst()).toBe(
      'Data center NY: audio loss above 5.0% for 5 of 7 participants in 2 meetings for 2 min (at worst for 100% of participants)',
    );
  });
});

/**
 * The reminder of an alert still firing but back past its recovery threshold (the minute after
 * the breach, before recovery.for has passed): it says "recovering", not "still".
 */
function recoveringReminder(
  rule: string,
  people: Who[],
  at: (w: Who, minute: number) => Partial<QosSample>,
): string | undefined {
  const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
  let text: string | undefined;
  for (let m = 0; m <= 7; m++) {
    engine.handle({ type: 'samples', samples: people.map((w) => sampleOf(w, m, at(w, m))) });
    const live = engine.active().find((a) => a.rule === rule && a.state === 'firing');
    text = live?.repeatAnnotations?.summary;
  }
  return text;
}

describe('default rules: a reminder while recovering', () => {
  it('says the value is recovering, not "still" above the threshold', () => {
    expect(
      recoveringReminder('audio-latency-high', [bob], (_, m) => ({
        streams: { audio_input: { latency: bad(m) ? 0.45 : 0.06 } },
      })),
    ).toBe(
      `Bob Okafor's audio latency is 60 ms in "Weekly sync" (recovering; was above 300 ms for 7 min, worst so far 450 ms)`,
    );
    expect(
      recoveringReminder('wifi-signal-weak', [bob], (_, m) => ({ wifi: { avg: bad(m) ? -82 : -60 } })),
    ).toMatch(
      /^Bob Okafor's Wi-Fi signal is -60 dBm in "Weekly sync" \(recovering; was below -75 dBm for 7 min, worst so far -82 dBm\)$/,
    );
  });
});

describe('the texts docs/rules.md shows', () => {
  /** The docs' `| phase | \`rule\` |` tables: rule -> phase -> text. */
  function docTables(): Map<string, Record<string, string>> {
    const tables = new Map<string, Record<string, string>>();
    const doc = readFileSync(fromRoot('docs', 'rules.md'), 'utf8');
    for (const t of doc.matchAll(/^\| phase +\| `([\w-]+)` +\|\n\|[-| ]+\|\n((?:\|.*\|\n)+)/gm)) {
      const rows: Record<string, string> = {};
      for (const row of t[2]!.trim().split('\n')) {
        const [, phase, text] = /^\| (\w+) +\| (.*?) +\|$/.exec(row)!;
        rows[phase!] = text!;
      }
      tables.set(t[1]!, rows);
    }
    return tables;
  }

  it("are the default rules' own texts, as this file computes them", () => {
    const tables = docTables();
    expect([...tables.keys()]).toEqual(['audio-latency-high', 'datacenter-loss-incident']);
    const latency = phases('audio-latency-high', [bob], 12, (_, m) => ({
      streams: { audio_input: { latency: bad(m) ? 0.45 : 0.133 } },
    }));
    expect(tables.get('audio-latency-high')).toEqual({
      firing: latency.firing,
      repeating: latency.repeat,
      recovering: recoveringReminder('audio-latency-high', [bob], (_, m) => ({
        streams: { audio_input: { latency: bad(m) ? 0.45 : 0.06 } },
      })),
      resolved: latency.resolved,
      left: leftText(),
    });
    const ny = (n: number, instance: string): Who[] =>
      Array.from({ length: n }, (_, i) => ({ key: `${instance}-${i}`, name: `P${i}`, instance, dc: 'NY' }));
    const incident = phases('datacenter-loss-incident', [...ny(4, 'm1'), ...ny(3, 'm2')], 12, (w, m) => ({
      streams: { audio_input: { avgLoss: bad(m) && Number(w.key.split('-')[1]) < 2 ? 0.09 : 0.004 } },
    }));
    expect(tables.get('datacenter-loss-incident')).toEqual({
      firing: incident.firing,
      past_worst: dcPastWorst(),
      repeating: incident.repeat,
      resolved: incident.resolved,
    });
  });
});

describe('default rules: a meeting whose topic is unknown yet (pushed before anything named it)', () => {
  const unnamedBob: Who = { ...bob, instance: UNNAMED };
  const latency = (m: number): Partial<QosSample> => ({
    streams: { audio_input: { latency: bad(m) ? 0.45 : 0.133 } },
  });

  it('is named by its kind and UUID, never `in ""`', () => {
    expect(phases('audio-latency-high', [unnamedBob], 12, (_, m) => latency(m))).toEqual({
      firing: `Bob Okafor's audio latency is 450 ms in meeting ${UNNAMED} (above 300 ms for 2 min)`,
      repeat: `Bob Okafor's audio latency is still 450 ms in meeting ${UNNAMED} (above 300 ms for 6 min)`,
      resolved: `Bob Okafor's audio latency is back to 133 ms in meeting ${UNNAMED} (was above 300 ms for 7 min, worst 450 ms)`,
    });
    const room = Array.from({ length: 3 }, (_, i) => ({ key: `u-${i}`, name: `P${i}`, instance: UNNAMED }));
    const loss = (w: Who, m: number): Partial<QosSample> => ({
      streams: { audio_input: { avgLoss: bad(m) && w.key === 'u-0' ? 0.09 : 0.004 } },
    });
    expect(phases('meeting-audio-degraded', room, 12, loss)).toEqual({
      firing: `Bad audio (loss above 5.0%) for 1 of 3 participants in meeting ${UNNAMED} for 2 min`,
      repeat: `Still bad audio (loss above 5.0%) for 1 of 3 participants in meeting ${UNNAMED} for 6 min`,
      resolved: `Audio loss back under 5.0% for all 3 participants in meeting ${UNNAMED} (was bad for 7 min, at worst for 33.3% of participants)`,
    });
  });

  it('a leave and an end say the meeting by its UUID too', () => {
    const resolvedBy = (event: 'left' | 'ended'): string | undefined => {
      const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
      for (let m = 0; m < 4; m++)
        engine.handle({ type: 'samples', samples: [sampleOf(unnamedBob, m, latency(m))] });
      const instance = sampleOf(unnamedBob, 4, {}).instance;
      const [change] = engine.handle(
        event === 'left'
          ? { type: 'left', instance, participant: bob.key, at: T + 4 * MIN }
          : { type: 'ended', instance, at: T + 4 * MIN },
      );
      return change?.alert.annotations.summary;
    };
    expect(resolvedBy('left')).toBe(
      `Bob Okafor left meeting ${UNNAMED}; audio latency was above 300 ms for 3 min, worst 450 ms`,
    );
    expect(resolvedBy('ended')).toBe(
      `Meeting ${UNNAMED} ended; audio latency was above 300 ms for 3 min, worst 450 ms`,
    );
  });
});

describe('default rules: a reload that removes the rule of a firing alert (outside tester of issue 15)', () => {
  it('every firing alert resolves saying its rule was removed, never that the value is back (the data-center text claimed recovery)', () => {
    const people: Who[] = [
      ...Array.from({ length: 4 }, (_, i) => ({ key: `m1-${i}`, name: `P${i}`, instance: 'm1', dc: 'NY' })),
      ...Array.from({ length: 3 }, (_, i) => ({ key: `m2-${i}`, name: `Q${i}`, instance: 'm2', dc: 'NY' })),
    ];
    const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
    for (let m = 0; m < 5; m++)
      engine.handle({
        type: 'samples',
        samples: people.map((w) =>
          sampleOf(w, m, {
            streams: { audio_input: { avgLoss: Number(w.key.split('-')[1]) < 2 ? 0.09 : 0.004 } },
          }),
        ),
      });
    const firing = engine.active().filter((a) => a.state === 'firing');
    expect(new Set(firing.map((a) => a.rule))).toEqual(
      new Set(['audio-loss-high', 'meeting-audio-degraded', 'datacenter-loss-incident']),
    );
    const resolved = engine.setRules([], T + 5 * MIN);
    expect(resolved.map((c) => c.alert.id).sort()).toEqual(firing.map((a) => a.id).sort());
    for (const c of resolved) {
      expect(c.alert.reason).toBe('rule_removed');
      expect(c.alert.annotations.summary).toMatch(new RegExp(`^The rule ${c.alert.rule} was removed`));
      expect(c.alert.annotations.summary).not.toMatch(/back (to|under)/);
    }
    expect(resolved.find((c) => c.alert.rule === 'datacenter-loss-incident')?.alert.annotations.summary).toBe(
      'The rule datacenter-loss-incident was removed (audio loss was above 5.0% for 4 min, at worst for 57% of participants)',
    );
  });
});

describe('{{.}}: the value of the section it is in', () => {
  it('says the topic only when there is one: {{#topic}}in "{{.}}"{{/topic}}', () => {
    const rules = loadRules([
      writeRuleFile(
        [
          'rules:',
          '  - name: weak-wifi',
          '    metric: wifi_rssi',
          '    when: below',
          '    threshold: -70dBm',
          '    annotations:',
          `      summary: '{{participant}}''s Wi-Fi is weak{{#topic}} in "{{.}}"{{/topic}}'`,
          '',
        ].join('\n'),
      ),
    ]);
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    const weak: Partial<QosSample> = { wifi: { avg: -80 } };
    const summaries = [0, 1, 2].flatMap((m) =>
      engine
        .handle({
          type: 'samples',
          samples: [
            sampleOf({ key: 'a', name: 'Ann' }, m, weak),
            sampleOf({ key: 'b', name: 'Bo', instance: UNNAMED }, m, weak),
          ],
        })
        .filter((c) => c.alert.state === 'firing')
        .map((c) => c.alert.annotations.summary),
    );
    expect(summaries.sort()).toEqual(['Ann\'s Wi-Fi is weak in "Weekly sync"', "Bo's Wi-Fi is weak"]);
  });
});
