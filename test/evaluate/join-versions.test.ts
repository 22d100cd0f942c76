import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import { SampleDeduplicator } from '../../src/normalize/dedup.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { attachNumbers, numbersOf } from '../../src/normalize/sample-numbers.js';
import { MIN, rulesFrom, sample, T } from '../helpers/rules.js';

/** A latency over 300 ms on any audio stream: a participant's, and two or more in a data center's with 30% of them. */
const over: Partial<RawRule> = {
  metric: 'latency',
  when: 'above',
  threshold: '300ms',
  streams: ['any_audio'],
};
const rules = rulesFrom([
  { name: 'lat', ...over },
  {
    name: 'dc',
    scope: 'shared_cause',
    group_by: 'data_center',
    breaching: { ratio: '30%' },
    min_participants: 2,
    ...over,
  },
]);

/** Participant `p`'s sample of minute `m` as the normalizer hands it on (with its numbers). */
function at(p: string, m: number, latency: number, dc = 'SC'): QosSample {
  const s = sample(p, m, { audio_input: { latency } }, { dc });
  attachNumbers(s, numbersOf(s));
  return s;
}

/** `s` counting each read of its participant, context and instance into `reads` while `counting.on`. */
function watched(s: QosSample, reads: { n: number }, counting: { on: boolean }): QosSample {
  for (const k of ['participant', 'context', 'instance'] as const) {
    const v = s[k];
    Object.defineProperty(s, k, {
      enumerable: true,
      get: () => {
        if (counting.on) reads.n++;
        return v;
      },
    });
  }
  return s;
}

describe('the rule engine and join versions (issue 16)', () => {
  it("reads nothing of a sample's participant, context or instance when its join's version is the one it took last", () => {
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    const dedup = new SampleDeduplicator(3 * 60 * MIN);
    const minute = (m: number): QosSample[] => ['a', 'b', 'c', 'd'].map((p) => at(p, m, 0.1));
    engine.handle({ type: 'samples', samples: dedup.filter(minute(1), T + MIN) });
    const reads = { n: 0 };
    const counting = { on: false };
    const next = minute(2).map((s) => watched(s, reads, counting));
    const fresh = dedup.filter(next, T + 2 * MIN);
    expect(fresh).toHaveLength(4);
    counting.on = true;
    expect(engine.handle({ type: 'samples', samples: fresh })).toEqual([]);
    counting.on = false;
    // The old code read each sample's participant, context and instance (JoinSlots.see): 12 and more.
    expect(reads.n).toBe(0);
  });

  it('takes a join again when its context changed: its alerts and groups follow the new data center', () => {
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    const dedup = new SampleDeduplicator(3 * 60 * MIN);
    const step = (m: number, dcOfA: string): void =>
      void engine.handle({
        type: 'samples',
        samples: dedup.filter(
          [at('a', m, 0.4, dcOfA), at('b', m, 0.4, 'SC'), at('c', m, 0.1, 'NY'), at('d', m, 0.1, 'NY')],
          T + m * MIN,
        ),
      });
    step(1, 'SC');
    step(2, 'SC');
    const firing = (): string[] =>
      engine
        .active()
        .map((a) => `${a.rule} ${a.context.dataCenter ?? a.context.group} ${a.context.participants ?? ''}`)
        .sort();
    expect(firing()).toEqual(['dc SC 2', 'lat SC ', 'lat SC ']);
    // a moves to NY with the same values: two of three breach there, one of one in SC (under 2 members).
    step(3, 'NY');
    step(4, 'NY');
    expect(firing()).toEqual(['dc NY 3', 'dc SC 1', 'lat NY ', 'lat SC ']);
  });
});
