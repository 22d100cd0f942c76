import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QosSample, StreamMetrics } from '../../src/normalize/sample.js';
import { ReferenceEngine } from '../helpers/reference-engine.js';
import { MIN, rulesFrom, T } from '../helpers/rules.js';
import { seeded } from '../helpers/storm.js';

const METRICS = [
  {
    metric: 'latency',
    key: 'latency',
    when: 'above',
    thresholds: ['200ms', '300ms', '300ms', '400ms'],
    scale: 0.6,
  },
  { metric: 'jitter', key: 'jitter', when: 'above', thresholds: ['30ms', '40ms', '40ms'], scale: 0.08 },
  { metric: 'avg_loss', key: 'avgLoss', when: 'above', thresholds: ['3%', '5%', '5%', '10%'], scale: 0.15 },
  {
    metric: 'frame_rate',
    key: 'frameRate',
    when: 'below',
    thresholds: ['10fps', '15fps', '15fps'],
    scale: 30,
  },
] as const;
const STREAMS = [['any_audio'], ['audio_input'], ['any'], ['video_sent', 'audio_output']];

function randomRules(rnd: () => number, n: number): Partial<RawRule>[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const rules: Partial<RawRule>[] = [];
  for (let i = 0; i < n; i++) {
    const scope = pick(['participant', 'participant', 'participant', 'instance', 'shared_cause'] as const);
    const cpu = rnd() < 0.15;
    const m = pick(METRICS);
    const rule: Partial<RawRule> = cpu
      ? { metric: 'cpu_zoom_avg', when: 'above', threshold: pick(['70%', '80%', '80%']) }
      : { metric: m.metric, when: m.when, threshold: pick(m.thresholds), streams: pick(STREAMS) };
    rule.name = `r${i}`;
    if (scope !== 'participant') rule.scope = scope;
    if (rnd() < 0.3) rule.aggregate = 'avg';
    if (rnd() < 0.7) rule.for = pick(['1m', '2m', '3m']);
    if (rnd() < 0.5) rule.recovery = { for: pick(['1m', '2m']) };
    if (rnd() < 0.2) rule.filters = { network_type: 'Wifi' };
    if (scope !== 'participant') {
      rule.breaching =
        rnd() < 0.5 ? { count: 1 + Math.floor(rnd() * 3) } : { ratio: pick(['30%', '50%', '100%']) };
      rule.min_participants = 1 + Math.floor(rnd() * 3);
    }
    if (scope === 'shared_cause') rule.group_by = pick(['data_center', 'network_type'] as const);
    rules.push(rule);
  }
  return rules;
}

/**
 * Minutes of 3 meetings of 4 participants: people drop out, come back, leave, change network or
 * data center; values cross the thresholds.
 */
function randomEvents(rnd: () => number, minutes: number): PipelineEvent[] {
  const events: PipelineEvent[] = [];
  const meetings = ['a', 'b', 'c'].map((id) => ({
    kind: 'meeting' as const,
    id,
    uuid: `${id}==`,
    topic: id,
  }));
  let backlog: QosSample[] = [];
  for (let m = 0; m < minutes; m++) {
    for (const instance of meetings)
      for (let p = 0; p < 4; p++) {
        if (rnd() < 0.15) continue; // missing this minute (a gap, longer when repeated)
        if (rnd() < 0.01) {
          events.push({ type: 'left', instance, participant: `p${p}`, at: T + m * MIN });
          continue;
        }
        const streams: Record<string, StreamMetrics> = {};
        const bad = rnd() < 0.35;
        for (const name of ['audio_input', 'audio_output', 'video_input']) {
          if (rnd() < 0.15) continue;
          const s: Record<string, number> = {};
          for (const x of METRICS) {
            const r = bad ? 0.4 + rnd() * 0.6 : rnd() * 0.5;
            s[x.key] = x.when === 'above' ? r * x.scale : (1 - r) * x.scale;
          }
          streams[name] = s;
        }
        backlog.push({
          instance,
          participant: { key: `p${p}`, name: `P${p}`, email: '', ip: '' },
          // Now and then a participant's network or data center changes (and back): filters
          // and shared causes must follow what the join reads now.
          context: {
            dataCenter: p % 2 === (rnd() < 0.05 ? 0 : 1) ? 'SC' : 'NY',
            networkType: p < 2 !== rnd() < 0.1 ? 'Wifi' : 'Wired',
            device: 'Mac',
          },
          time: T + m * MIN,
          streams,
          ...(rnd() < 0.8 ? { cpu: { zoomAvg: bad ? 0.6 + rnd() * 0.4 : rnd() * 0.7 } } : {}),
        });
      }
    // Most polls bring one minute; some bring a backlog of two or three. Half hand all
    // meetings' samples at once, half meeting by meeting (as a poll does), in a random order.
    if (rnd() < 0.7) {
      if (rnd() < 0.5) events.push({ type: 'samples', samples: backlog });
      else
        for (const instance of [...meetings].sort(() => rnd() - 0.5)) {
          const mine = backlog.filter((s) => s.instance === instance);
          if (mine.length) events.push({ type: 'samples', samples: mine });
        }
      backlog = [];
    }
    if (rnd() < 0.02)
      events.push({ type: 'ended', instance: meetings[Math.floor(rnd() * 3)]!, at: T + m * MIN });
  }
  if (backlog.length) events.push({ type: 'samples', samples: backlog });
  return events;
}

const said = (changes: AlertChange[]): string[] =>
  changes.map((c) => `${c.alert.id} ${c.previous}->${c.state}`).sort();

describe('the rule engine against a straightforward reference evaluator', () => {
  it('makes the same alert changes and holds the same active alerts on random rules and samples (fixed seed)', () => {
    const rnd = seeded(20261201);
    let compared = 0;
    let changed = 0;
    for (let c = 0; c < 20; c++) {
      const rules = rulesFrom(randomRules(rnd, 10));
      const gap = (2 + Math.floor(rnd() * 3)) * MIN;
      const engine = new RuleEngine(rules, { gapToleranceMs: gap });
      const reference = new ReferenceEngine(rules, gap);
      for (const event of randomEvents(rnd, 40)) {
        const got = said(engine.handle(event));
        const want = reference.handle(event).sort();
        expect(got, `case ${c}, ${event.type} event`).toEqual(want);
        // With, for shared causes, how many meetings their breaching members are in.
        const active = [...engine.state.series.values()]
          .map((r) => `${r.id} ${r.state}${r.meetings === undefined ? '' : ` in ${r.meetings}`}`)
          .sort((a, b) => a.localeCompare(b));
        const refActive = [...reference.series]
          .map(([id, r]) => `${id} ${r.state}${r.meetings === undefined ? '' : ` in ${r.meetings}`}`)
          .sort((a, b) => a.localeCompare(b));
        expect(active, `case ${c}: active alerts`).toEqual(refActive);
        compared++;
        changed += got.length;
      }
    }
    // The cases must exercise the engine: many events, many changes of every kind.
    expect(compared).toBeGreaterThan(400);
    expect(changed).toBeGreaterThan(200);
  });
});
