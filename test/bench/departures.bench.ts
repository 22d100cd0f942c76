import { bench, describe } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { fromRoot } from '../../src/util/package-root.js';
import { compare, gc } from './ratio.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('departures.bench.ts');

// A big meeting ends while data center NY's incident fires: each of its breaching members
// leaves the incident's group and is counted in its alert's departures (departed.ts). Ending a
// meeting of 4N members against ending one of N: 4x or less is linear, 16x quadratic (each leave
// copied the departures of those before it: 21x, 8.0 s for 8,000 members; now 1.5x, 79 ms).
const RULES = loadRules([fromRoot('rules', 'default.yaml')]);
const T = Date.parse('2026-01-01T10:00:00Z');
const MIN = 60_000;
const N = 2_000;

function sample(key: string, meeting: string, minute: number, loss: number): QosSample {
  return {
    instance: { kind: 'meeting', id: meeting, uuid: meeting, topic: meeting },
    participant: { key, name: key, email: '', ip: '' },
    context: { networkType: 'Wifi', device: 'Windows', dataCenter: 'NY' },
    time: T + minute * MIN,
    streams: { audio_input: { avgLoss: loss } },
  };
}

/** An engine whose data center NY incident fires, `n` breaching members in meeting "big", 3 healthy in "small". */
function firing(n: number): RuleEngine {
  const engine = new RuleEngine(RULES, { gapToleranceMs: 5 * MIN });
  for (let m = 0; m < 4; m++)
    engine.handle({
      type: 'samples',
      samples: [
        ...Array.from({ length: n }, (_, i) => sample(`p${i}`, 'big', m, 0.09)),
        ...['x', 'y', 'z'].map((p) => sample(p, 'small', m, 0.001)),
      ],
    });
  return engine;
}

/** One side: ends meeting "big" of an engine made by its setup, outside the timed region. */
function ending(n: number): { setup: () => void; run: () => unknown } {
  let engine: RuleEngine | undefined;
  return {
    setup: () => {
      engine = undefined;
      gc();
      engine = firing(n);
    },
    run: () => {
      const changes = engine!.handle({
        type: 'ended',
        instance: sample('p0', 'big', 4, 0).instance,
        at: T + 4 * MIN,
      });
      const departed = engine!.state.series.get('datacenter-loss-incident|NY')?.departed?.left;
      if (departed !== n) throw new Error(`${departed} departures counted, not ${n}`);
      return changes;
    },
  };
}

describe('departures', () => {
  bench(
    `a meeting of ${4 * N} breaching members ends in a firing data-center incident, against one of ${N}`,
    async () => {
      await compare(
        `meeting end, departures counted, ${4 * N} members / ${N} (4x: linear, 16x: quadratic)`,
        ending(4 * N),
        ending(N),
        { rounds: 3, warmup: 1 },
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
