import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import { SampleDeduplicator } from '../../src/normalize/dedup.js';
import type { StreamMetrics } from '../../src/normalize/sample.js';
import { MIN, rulesFrom, sample, T } from '../helpers/rules.js';

/**
 * Zoom may push one QSS event per stream type of a join and minute (issue 15 D3): the
 * de-duplicator hands the first on, then the minute again with each stream type that follows.
 * A rule over several streams must not take the first, partial sample's healthy stream as a
 * recovery: it would cancel the pending alert every minute, and `for` would never be reached.
 */
const latency = { streams: ['any_audio'], metric: 'latency', when: 'above' as const, threshold: '300ms' };
const recovery = { threshold: '250ms', for: '1m' };
const RULES: Partial<RawRule>[] = [
  { name: 'lat', ...latency, for: '2m', recovery },
  {
    name: 'inst',
    scope: 'instance',
    ...latency,
    breaching: { count: 1 },
    min_participants: 1,
    for: '2m',
    recovery,
  },
];

/** A rule engine fed as the daemon feeds it pushed samples: through the de-duplicator, event by event. */
function pushedEngine(): {
  push(m: number, streams: Record<string, StreamMetrics>): void;
  changes: string[];
} {
  const engine = new RuleEngine(rulesFrom(RULES), { gapToleranceMs: 5 * MIN });
  const dedup = new SampleDeduplicator(60 * MIN);
  const changes: string[] = [];
  const record = (c: AlertChange): void => {
    changes.push(`${c.alert.rule}:${c.previous}->${c.state}@${(c.alert.lastSampleAt - T) / MIN}`);
  };
  return {
    changes,
    push(m, streams) {
      const samples = dedup.filter([sample('a', m, streams)], T + m * MIN + 10_000, undefined, true);
      for (const c of engine.handle({ type: 'samples', samples })) record(c);
    },
  };
}

const input = (s: number): Record<string, StreamMetrics> => ({ audio_input: { latency: s } });
const output = (s: number): Record<string, StreamMetrics> => ({ audio_output: { latency: s } });

describe('a pushed minute that comes one stream type at a time (issue 15 D3)', () => {
  it('fires when the stream that comes second breaches every minute, and resolves when it recovers', () => {
    const e = pushedEngine();
    for (let m = 0; m <= 4; m++) {
      e.push(m, input(0.05));
      e.push(m, output(0.45));
    }
    for (let m = 5; m <= 7; m++) {
      e.push(m, input(0.05));
      e.push(m, output(0.1));
    }
    // Judged on audio_input alone, the first event of each minute cancelled the pending alerts.
    expect(e.changes).toEqual([
      'inst:inactive->pending@0',
      'lat:inactive->pending@0',
      'inst:pending->firing@2',
      'lat:pending->firing@2',
      'inst:firing->resolved@6',
      'lat:firing->resolved@6',
    ]);
  });

  it('judges a minute without a stream type again once the join no longer sends it', () => {
    const e = pushedEngine();
    e.push(0, { audio_input: { latency: 0.45 }, audio_output: { latency: 0.45 } });
    // Dee stops receiving audio: minute 1 lacks audio_output (partial), minute 2 is whole again.
    for (let m = 1; m <= 3; m++) e.push(m, input(0.05));
    e.push(4, input(0.45));
    // Cancelled at minute 2 (not reported): pending again from minute 4, not firing.
    expect(e.changes).toEqual([
      'inst:inactive->pending@0',
      'lat:inactive->pending@0',
      'inst:inactive->pending@4',
      'lat:inactive->pending@4',
    ]);
  });
});
