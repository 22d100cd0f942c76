import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert, AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import { AlertStateStore, restoredState } from '../../src/evaluate/state-store.js';
import { MIN, rulesFrom, sample, T } from '../helpers/rules.js';

/**
 * How bad an alert got: the worst value of its episode (Alert.worst), kept by the engine from
 * the breach that made it pending to its resolve, the highest for a rule `above`, the lowest for
 * one `below`, saved in alerts.json across a restart. Before it, an alert said only its newest
 * value: a leaver's resolve said their last sample (55 ms, under the threshold) as what the
 * latency "was", and a firing alert the value of the minute it fired, not the worst before it.
 */
const meeting = { kind: 'meeting' as const, id: 'm1', uuid: 'm1', topic: 'Topic m1' };
const summary =
  '{{#firing}}now {{value}}{{#worst_earlier}}, worst {{worst_earlier}}{{/worst_earlier}}{{/firing}}' +
  '{{#resolved}}worst {{worst}} at {{worst_at}}, last {{value}}{{/resolved}}';
/** Audio latency above 300 ms for 2 minutes, back under 250 ms for 1. */
const latencyRule: Partial<RawRule> = {
  annotations: { summary },
  name: 'lat',
  metric: 'latency',
  streams: ['any_audio'],
  when: 'above',
  threshold: '300ms',
  recovery: { threshold: '250ms', for: '1m' },
  for: '2m',
};
const engine = (rule: Partial<RawRule> = latencyRule): RuleEngine =>
  new RuleEngine(rulesFrom([rule]), { gapToleranceMs: 5 * MIN });
const latency = (e: RuleEngine, m: number, v: number): AlertChange[] =>
  e.handle({ type: 'samples', samples: [sample('a', m, { audio_input: { latency: v } })] });
/** Latencies from minute 0, one a minute: the changes of the last. */
const latencies = (e: RuleEngine, values: number[]): AlertChange[] =>
  values.map((v, m) => latency(e, m, v)).at(-1)!;
const one = (changes: AlertChange[], state: Alert['state']): Alert => {
  const c = changes.filter((x) => x.state === state);
  expect(c).toHaveLength(1);
  return c[0]!.alert;
};
const at = (m: number): number => T + m * MIN;

describe('the worst value of an alert episode', () => {
  it('a firing alert says the worst so far, its pending minutes included, and the newest value apart', () => {
    const e = engine();
    const fired = one(latencies(e, [0.4, 0.5, 0.35]), 'firing');
    expect(fired).toMatchObject({ value: 0.35, valueText: '350 ms', worst: 0.5, worstText: '500 ms' });
    expect(fired.worstAt).toBe(at(1));
    expect(fired.annotations.summary).toBe('now 350 ms, worst 500 ms');
    latency(e, 3, 0.62);
    latency(e, 4, 0.33);
    const [live] = e.active();
    expect(live).toMatchObject({ value: 0.33, worst: 0.62, worstAt: at(3) });
  });

  it('a firing alert whose newest value is its worst has no separate worst in its text', () => {
    const e = engine();
    const fired = one(latencies(e, [0.31, 0.4, 0.45]), 'firing');
    expect(fired).toMatchObject({ worst: 0.45, worstAt: at(2), worstText: '450 ms' });
    expect(fired.annotations.summary).toBe('now 450 ms');
  });

  it("a leaver's resolve says the episode's worst, not their last sample under the threshold", () => {
    const e = engine();
    latencies(e, [0.4, 0.6, 0.45, 0.055]);
    const left = one(
      e.handle({ type: 'left', instance: meeting, participant: 'a', at: at(3) + 30_000 }),
      'resolved',
    );
    expect(left).toMatchObject({
      reason: 'left',
      value: 0.055,
      worst: 0.6,
      worstText: '600 ms',
      worstAt: at(1),
    });
    expect(left.annotations.summary).toBe('worst 600 ms at 2026-03-02T12:01:00.000Z, last 55 ms');
  });

  it('a recovered resolve says the worst of the whole episode, not the value it recovered to', () => {
    const e = engine();
    latencies(e, [0.4, 0.41, 0.7, 0.5, 0.1]);
    const resolved = one(latency(e, 5, 0.1), 'resolved');
    expect(resolved).toMatchObject({ reason: 'recovered', value: 0.1, worst: 0.7, worstAt: at(2) });
  });

  it('a rule `below` keeps the lowest value', () => {
    const e = engine({
      name: 'fps',
      streams: ['video_input'],
      metric: 'frame_rate',
      when: 'below',
      threshold: '10fps',
      for: '1m',
    });
    const fps = (m: number, v: number): AlertChange[] =>
      e.handle({ type: 'samples', samples: [sample('a', m, { video_input: { frameRate: v } })] });
    fps(0, 6);
    expect(one(fps(1, 8), 'firing')).toMatchObject({
      value: 8,
      worst: 6,
      worstText: '6 fps',
      worstAt: at(0),
    });
    fps(2, 2);
    fps(3, 9);
    const left = one(e.handle({ type: 'left', instance: meeting, participant: 'a', at: at(4) }), 'resolved');
    expect(left).toMatchObject({ value: 9, worst: 2, worstAt: at(2) });
  });

  it('a new episode starts its worst again', () => {
    const e = engine({ ...latencyRule, recovery: { threshold: '250ms', for: '0' } });
    one(latencies(e, [0.9, 0.9, 0.9]), 'firing');
    one(latency(e, 3, 0.1), 'resolved');
    latency(e, 4, 0.31);
    latency(e, 5, 0.32);
    expect(one(latency(e, 6, 0.33), 'firing')).toMatchObject({ worst: 0.33, worstAt: at(6) });
  });
});

describe('the worst value across a restart (alerts.json)', () => {
  /** An engine whose alert fired with a worst of 600 ms at minute 1 and reads 350 ms at minute 3. */
  function midEpisode(): RuleEngine {
    const e = engine();
    latencies(e, [0.4, 0.6, 0.45, 0.35]);
    return e;
  }
  const restart = (e: RuleEngine, edit?: (json: Record<string, unknown>) => void): RuleEngine => {
    const store = new AlertStateStore(mkdtempSync(join(tmpdir(), 'qw-worst-')));
    store.save(e.state, new Map());
    if (edit) {
      const json = JSON.parse(readFileSync(store.file, 'utf8')) as Record<string, unknown>;
      edit(json);
      writeFileSync(store.file, JSON.stringify(json));
    }
    const saved = store.load();
    return new RuleEngine(
      rulesFrom([latencyRule]),
      { gapToleranceMs: 5 * MIN },
      restoredState(saved.series, saved.members),
    );
  };

  it('keeps the worst of an episode under way: its resolve after the restart still says it', () => {
    const after = restart(midEpisode());
    expect(after.active()[0]).toMatchObject({ state: 'firing', value: 0.35, worst: 0.6, worstAt: at(1) });
    latency(after, 4, 0.2);
    const resolved = one(latency(after, 5, 0.2), 'resolved');
    expect(resolved).toMatchObject({ value: 0.2, worst: 0.6, worstAt: at(1) });
  });

  it('saves the worst before the newest sample beside the series', () => {
    const store = new AlertStateStore(mkdtempSync(join(tmpdir(), 'qw-worst-')));
    store.save(midEpisode().state, new Map());
    const json = JSON.parse(readFileSync(store.file, 'utf8')) as { series: Record<string, unknown>[] };
    expect(json.series[0]).toMatchObject({ value: 0.35, priorWorst: 0.6, priorWorstAt: at(1) });
  });

  it('reads a file from before it: the worst starts at the value saved', () => {
    const after = restart(midEpisode(), (json) => {
      for (const s of json.series as Record<string, unknown>[]) {
        delete s.priorWorst;
        delete s.priorWorstAt;
      }
    });
    expect(after.active()[0]).toMatchObject({ state: 'firing', value: 0.35, worst: 0.35, worstAt: at(3) });
    latency(after, 4, 0.5);
    const [live] = after.active();
    expect(live).toMatchObject({ value: 0.5, worst: 0.5, worstAt: at(4) });
  });
});

describe('the worst of a group (meeting scope) beside its value', () => {
  const groupEngine = (): RuleEngine =>
    engine({
      annotations: { summary },
      name: 'mtg',
      scope: 'instance',
      metric: 'latency',
      streams: ['any_audio'],
      when: 'above',
      threshold: '300ms',
      breaching: { ratio: '30%' },
      for: '1m',
    });
  /** Minute `m`: `total` participants, the first `bad` of them at 400 ms, the rest at 100 ms. */
  const minute = (e: RuleEngine, m: number, bad: number, total: number): AlertChange[] =>
    e.handle({
      type: 'samples',
      samples: Array.from({ length: total }, (_, i) =>
        sample(`p${i}`, m, { audio_input: { latency: i < bad ? 0.4 : 0.1 } }),
      ),
    });

  it('fires saying the worst share before it when it reads apart', () => {
    const e = groupEngine();
    minute(e, 0, 4, 7);
    const fired = one(minute(e, 1, 3, 7), 'firing');
    expect(fired).toMatchObject({ valueText: '3 of 7 participants (43%)', worstText: '57% of participants' });
    expect(fired.annotations.summary).toBe('now 3 of 7 participants (43%), worst 57% of participants');
  });

  it('says no worst when it reads as the value does (4 of 7 then 17 of 30: both 57%)', () => {
    const e = groupEngine();
    minute(e, 0, 4, 7);
    const fired = one(minute(e, 1, 17, 30), 'firing');
    expect(fired.worst).toBeGreaterThan(fired.value);
    expect(fired).toMatchObject({
      valueText: '17 of 30 participants (57%)',
      worstText: '57% of participants',
    });
    expect(fired.annotations.summary).toBe('now 17 of 30 participants (57%)');
  });
});
