import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { average } from '../../src/evaluate/average.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import { ruleValue } from '../../src/evaluate/rule-value.js';
import { MIN, rulesFrom, sample } from '../helpers/rules.js';

/**
 * A rule `aggregate: avg` read 200 and 400 ms as 0.30000000000000004 s: the binary noise of the
 * sum, shown in the API's `value`, saved in alerts.json, and compared: above a threshold of
 * 300 ms, an average of exactly 300 ms breached. The average is kept to twelve significant
 * digits (average.ts), and that one value is compared, shown and stored.
 */
const avgLatency = (threshold: string): Partial<RawRule> => ({
  name: 'avg-lat',
  metric: 'latency',
  streams: ['audio_input', 'audio_output'],
  aggregate: 'avg',
  when: 'above',
  threshold,
  for: '1m',
});
/** Minute `m`: audio sent at 200 ms, received at 400 ms (an average of 300 ms). */
const at = (m: number) => sample('a', m, { audio_input: { latency: 0.2 }, audio_output: { latency: 0.4 } });
const run = (threshold: string): AlertChange[] => {
  const e = new RuleEngine(rulesFrom([avgLatency(threshold)]), { gapToleranceMs: 5 * MIN });
  return [0, 1, 2].flatMap((m) => e.handle({ type: 'samples', samples: [at(m)] }));
};

describe('an average over streams without binary noise', () => {
  it('is the decimal the inputs average to, in the reports and inspect (ruleValue) and the engine alike', () => {
    expect((0.2 + 0.4) / 2).toBe(0.30000000000000004); // what it was
    const [rule] = rulesFrom([avgLatency('250ms')]);
    expect(ruleValue(rule!, at(0))).toBe(0.3);
    const fired = run('250ms').find((c) => c.state === 'firing')!.alert;
    expect(fired).toMatchObject({ value: 0.3, valueText: '300 ms', worst: 0.3 });
    expect(JSON.stringify(fired)).toContain('"value":0.3,');
  });

  it('an average of exactly the threshold does not breach a rule `above` it (the noise made it)', () => {
    expect(run('300ms')).toEqual([]);
  });

  it('keeps twelve significant digits, whatever the unit', () => {
    expect(average(1, 3)).toBe(0.333333333333);
    expect(average(0.001 + 0.002, 2)).toBe(0.0015);
    expect(average(27_150 + 1_055_000, 2)).toBe(541_075);
    expect(average(2e6, 3)).toBe(666_666.666667);
    expect(average(-211, 3)).toBe(-70.3333333333);
    expect(average(0, 2)).toBe(0);
  });
});
