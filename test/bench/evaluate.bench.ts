import { bench, describe } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { NaiveEngine } from './naive-engine.js';
import { fiftyRules } from './fifty-rules.js';
import { compare, gc, note } from './ratio.js';
import { again, samples } from './workload.js';

const rules = fiftyRules();
const T = Date.parse('2026-01-01T10:00:00Z');

// Each figure makes what it needs and lets go of it when done, so that `npm run bench` does not
// hold two sets of 100,000 samples, a warm engine and the naive evaluator for the file's whole
// life (3.5 GiB peak in one process). The samples of a cycle are made in the bench's setup,
// outside the timed region, and dropped after its run.
const usual = (): QosSample[] => samples(1000, 100, T); // 100,000 samples, 5% of participants degraded
const storm = (): QosSample[] => samples(1000, 100, T, 0.5); // half of everyone degraded at once

/**
 * A figure's samples: made by its setup, dropped by its teardown after the run. Both collect the
 * garbage first (outside the timed region): what the figure before it left, and its own engines.
 */
function held(make: () => QosSample[]): {
  get: () => QosSample[];
  options: { setup: () => void; teardown: (task: unknown, mode?: string) => void };
} {
  let value: QosSample[] | undefined;
  return {
    get: () => (value ??= make()),
    options: {
      setup: () => {
        gc();
        value ??= make();
      },
      teardown: (_task, mode) => {
        if (mode === 'run') value = undefined;
        gc();
      },
    },
  };
}

/** The most this process has held resident so far. */
const peak = (): string => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;

describe('rule evaluation', () => {
  bench(
    '100,000 samples x 50 rules, warm: the engine vs a naive Map-and-loop evaluator',
    async () => {
      // The warm engine and the naive evaluator live only while this figure is measured.
      const first = usual();
      const warm = new RuleEngine(rules, { gapToleranceMs: 300_000 });
      warm.handle({ type: 'samples', samples: first });
      const naive = new NaiveEngine(rules);
      naive.handle(first);
      let minute = 0;
      let next = first;
      await compare(
        '100,000 samples x 50 rules, 5% degraded, warm engine / naive Map-and-loop evaluator',
        // A full collection before each side alike (what sweeping follows it falls on both).
        { setup: gc, run: () => warm.handle({ type: 'samples', samples: next }) },
        {
          // The next minute's samples are built outside the timed region, as the normalizer
          // hands them on (with their numbers: normalize/sample-numbers.ts).
          setup: () => {
            minute++;
            // The minute before's samples (and their numbers) are collected first: promoted while
            // both sides read them, they stacked up in the old generation (peak 671 -> 1126 MiB).
            next = [];
            gc();
            next = first.map((s) => again(s, T + minute * 60_000));
          },
          run: () => naive.handle(next),
        },
        // collect: each timed region starts with an empty young generation, so the 100,000
        // samples the setup just made (normalization's garbage, cycle.bench.ts's) are not
        // scavenged and promoted inside it, nor the other side's garbage of the round before.
        // Three minutes of warm-up: the optimizing compiler is still at work in the first ones.
        { rounds: 5, warmup: 3, collect: true },
      );
      note('evaluate.bench.ts peak resident set up to the end of the warm figure', peak());
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
  const one = held(usual);
  bench(
    '100,000 samples against 50 rules, 5% degraded (one cycle)',
    () => {
      new RuleEngine(rules, { gapToleranceMs: 300_000 }).handle({ type: 'samples', samples: one.get() });
    },
    { iterations: 3, warmupIterations: 1, ...one.options },
  );
  let stormMeasured = false;
  bench(
    'alert storm: the minute 75,000 alerts fire at once (5% degraded), time per firing alert',
    () => {
      if (stormMeasured) return; // measured once, with its own clock (tinybench may call it again)
      stormMeasured = true;
      // Minute 0 (85,000 series go pending) outside the timed region; minute 1 (nothing changes)
      // and minute 2 (75,000 fire) timed, every change's alert read as the dispatcher reads them.
      gc();
      const first = usual();
      const engine = new RuleEngine(rules, { gapToleranceMs: 300_000 });
      engine.handle({ type: 'samples', samples: first });
      const minute = (m: number): { ms: number; firing: number } => {
        const next = first.map((s) => again(s, T + m * 60_000));
        const start = performance.now();
        const changes = engine.handle({ type: 'samples', samples: next });
        let firing = 0;
        for (const c of changes) if (c.alert.state === 'firing') firing++;
        return { ms: performance.now() - start, firing };
      };
      const quiet = minute(1);
      const storm = minute(2);
      const perAlert = ((storm.ms - quiet.ms) * 1000) / storm.firing;
      note(
        `alert storm, 100,000 samples x 50 rules, 5% degraded: ${storm.firing} alerts fire in one minute, time per firing alert (that minute less a quiet one)`,
        `${perAlert.toFixed(1)} us (${(storm.ms / 1000).toFixed(2)} s vs ${(quiet.ms / 1000).toFixed(2)} s); resident set with them held ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, peak so far ${peak()}`,
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
  const stormy = held(storm);
  bench(
    '100,000 samples against 50 rules, 50% degraded (a storm)',
    () => {
      // The run before let go of an engine of 1,075,015 series: collected first (about 0.1 s of
      // a 15 s run), or each run stacks on the last one's garbage (1.9 GiB peak, not 1.0).
      gc();
      new RuleEngine(rules, { gapToleranceMs: 300_000 }).handle({ type: 'samples', samples: stormy.get() });
    },
    {
      iterations: 3,
      warmupIterations: 1,
      ...stormy.options,
      teardown: (task, mode) => {
        stormy.options.teardown(task, mode);
        if (mode === 'run') note('evaluate.bench.ts peak resident set, the storm included', peak());
      },
    },
  );
});
