import { bench, describe } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import type { CompiledRule } from '../../src/evaluate/rule-types.js';
import { fromRoot } from '../../src/util/package-root.js';
import { NaiveEngine } from './naive-engine.js';
import { compare } from './ratio.js';
import { samples } from './workload.js';

// 50 rules: the 8 defaults, and variants of them at other thresholds (as a real set grows).
const defaults = loadRules([fromRoot('rules')]);
const rules: CompiledRule[] = [];
for (let i = 0; rules.length < 50; i++) {
  const base = defaults[i % defaults.length]!;
  rules.push({ ...base, name: `${base.name}-${i}`, threshold: base.threshold * (1 + (i % 5) / 10) });
}
const T = Date.parse('2026-01-01T10:00:00Z');
const usual = samples(1000, 100, T); // 100,000 samples, 5% of participants degraded
const storm = samples(1000, 100, T, 0.5); // half of everyone degraded at once

const warm = new RuleEngine(rules, { gapToleranceMs: 300_000 });
warm.handle({ type: 'samples', samples: usual });
const naive = new NaiveEngine(rules);
naive.handle(usual);
let minute = 0;
let next = usual;

describe('rule evaluation', () => {
  bench(
    '100,000 samples x 50 rules, warm: the engine vs a naive Map-and-loop evaluator',
    async () => {
      await compare(
        '100,000 samples x 50 rules, 5% degraded, warm engine / naive Map-and-loop evaluator',
        { run: () => warm.handle({ type: 'samples', samples: next }) },
        {
          // The next minute's samples are built outside the timed region.
          setup: () => {
            minute++;
            next = usual.map((s) => ({ ...s, time: T + minute * 60_000 }));
          },
          run: () => naive.handle(next),
        },
        { rounds: 5, warmup: 1 },
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
  bench(
    '100,000 samples against 50 rules, 5% degraded (one cycle)',
    () => {
      new RuleEngine(rules, { gapToleranceMs: 300_000 }).handle({ type: 'samples', samples: usual });
    },
    { iterations: 3, warmupIterations: 1 },
  );
  bench(
    '100,000 samples against 50 rules, 50% degraded (a storm)',
    () => {
      new RuleEngine(rules, { gapToleranceMs: 300_000 }).handle({ type: 'samples', samples: storm });
    },
    { iterations: 3, warmupIterations: 1 },
  );
});
