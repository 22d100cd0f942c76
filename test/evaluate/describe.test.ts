import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import { describeChange } from '../../src/evaluate/describe.js';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { rulesFrom, sample } from '../helpers/rules.js';

/**
 * The log's line for an alert of a rule without a summary. A resolve read
 * `RESOLVED lat (recovered, ...): lat: 134 ms (> 300 ms)`, as if 134 were above 300
 * (outside tester, stop 38).
 */
describe('describeChange', () => {
  it('says the threshold as a threshold, so a resolve under it reads right', () => {
    const e = new RuleEngine(
      rulesFrom([
        { name: 'lat', streams: ['any_audio'], metric: 'latency', when: 'above', threshold: '300ms' },
      ]),
      { gapToleranceMs: 300_000 },
    );
    const feed = (s: QosSample): AlertChange[] => e.handle({ type: 'samples', samples: [s] });
    const fired = feed(sample('a', 0, { audio_input: { latency: 0.45 } }));
    const resolved = feed(sample('a', 1, { audio_input: { latency: 0.134 } }));
    expect([...fired, ...resolved].map(describeChange)).toEqual([
      'FIRING WARNING lat: lat: 450 ms (threshold > 300 ms)',
      'RESOLVED lat (recovered, breached for 1 min of sample time): lat: 134 ms (threshold > 300 ms)',
    ]);
  });
});
