import { bench, describe } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { fromRoot } from '../../src/util/package-root.js';
import { compare, gc } from './ratio.js';

// Meetings end while many others are live: each end drops its members' readings from the groups
// that hold them (departures.ts). It went through every group of every rule (each live
// meeting's group under the meeting rule) at each end: 200 ends took 142 ms among 8,000 live
// meetings and 89 ms among 2,000 (CPU 1.9x; a machine at load 16). The groups are now found
// from the members' own readings (holding-groups.ts): 1 to 5 ms either way, about 1x.
const RULES = loadRules([fromRoot('rules', 'default.yaml')]);
const T = Date.parse('2026-01-01T10:00:00Z');
const M = 2_000;
const ENDS = 200;

const ref = (m: number) => ({ kind: 'meeting' as const, id: `m${m}`, uuid: `m${m}`, topic: `m${m}` });

function sample(m: number, p: number): QosSample {
  return {
    instance: ref(m),
    participant: { key: `p${p}`, name: `p${p}`, email: '', ip: '' },
    context: { networkType: 'Wifi', device: 'Windows', dataCenter: `DC${m % 7}` },
    time: T,
    streams: { audio_input: { avgLoss: 0.001 } },
  };
}

/** An engine with `meetings` live meetings of 3 (quiet), each in its meeting group and a data center's. */
function live(meetings: number): RuleEngine {
  const engine = new RuleEngine(RULES, { gapToleranceMs: 300_000 });
  const samples: QosSample[] = [];
  for (let m = 0; m < meetings; m++) for (let p = 0; p < 3; p++) samples.push(sample(m, p));
  engine.handle({ type: 'samples', samples });
  return engine;
}

/** One side: `ENDS` meetings end, among `meetings` live, on an engine made outside the timed region. */
class Ending {
  private engine: RuleEngine | undefined;

  constructor(private readonly meetings: number) {}

  setup = (): void => {
    this.engine = undefined; // the last round's, collected before the next is made
    gc();
    this.engine = live(this.meetings);
  };

  run = (): number => {
    let changes = 0;
    for (let m = 0; m < ENDS; m++)
      changes += this.engine!.handle({ type: 'ended', instance: ref(m), at: T + 60_000 }).length;
    return changes;
  };
}

describe('meeting ends among many live meetings', () => {
  bench(
    `${ENDS} meetings end among ${4 * M} live, against among ${M}`,
    async () => {
      await compare(
        `${ENDS} meeting ends, ${4 * M} live / ${M} live (1x: each end touches its own groups, 4x: every group)`,
        new Ending(4 * M),
        new Ending(M),
        { rounds: 5, warmup: 1 },
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
