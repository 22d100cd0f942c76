import { bench, describe } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { SampleDeduplicator } from '../../src/normalize/dedup.js';
import type { QosSample } from '../../src/normalize/sample.js';
import { NaiveEngine } from './naive-engine.js';
import { fiftyRules } from './fifty-rules.js';
import { compare, cpuNow, gc, note, steady } from './ratio.js';
import { EndingMeetings } from './ending-meetings.js';
import { again, drifting, samples } from './workload.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('evaluate.bench.ts');

const rules = fiftyRules();
const T = Date.parse('2026-01-01T10:00:00Z');

// Each figure makes what it needs and lets go of it when done, so that `npm run bench` does not
// hold two sets of 100,000 samples, a warm engine and the naive evaluator for the file's whole
// life (3.5 GiB peak in one process). The samples of a cycle are made in the bench's setup,
// outside the timed region, and dropped after its run.
// The engine reads the samples' numbers: their value objects are shared (workload.ts).
const usual = (): QosSample[] => samples(1000, 100, T, 0.05, { sharedValues: true }); // 100,000 samples, 5% of participants degraded
const storm = (): QosSample[] => samples(1000, 100, T, 0.5, { sharedValues: true }); // half of everyone degraded at once

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

/**
 * A warm engine and the naive evaluator, both past minute 0 of `minuteOf`, and the minute each
 * side reads next. Both sides start from the same state: the minute before's samples collected
 * with a full collection (promoted while a side read them, they stacked up in the old
 * generation: peak 671 -> 1126 MiB), then that minute's samples built afresh for this side, as
 * the normalizer hands them on (with their numbers: normalize/sample-numbers.ts), outside the
 * timed region. Before, the engine read the naive side's samples right after a full collection
 * with nothing allocated since, a state the naive side never had.
 */
class WarmPair {
  readonly warm = new RuleEngine(rules, { gapToleranceMs: 300_000 });
  private naiveEngine: NaiveEngine | undefined = new NaiveEngine(rules);
  next: QosSample[] = [];

  get naive(): NaiveEngine {
    if (!this.naiveEngine) throw new Error('the naive evaluator was let go of after its last figure');
    return this.naiveEngine;
  }

  /**
   * Lets go of the naive evaluator once its last minute is measured, and collects it (outside
   * any timed region): the engine's steady block that follows it does not carry its state.
   */
  dropNaive(): void {
    this.naiveEngine = undefined;
    gc();
  }

  /**
   * What the engine's samples go through before it, as in the daemon (poll/scheduler.ts): they
   * reach it with their joins' rows and versions (normalize/join-versions.ts), by which it finds a
   * join whose instance, texts and context did not change without reading them. Outside the timed
   * region: the de-duplicator's cost is in cycle.bench.ts's poll cycle.
   */
  private readonly dedup = new SampleDeduplicator(3 * 3_600_000);

  constructor(private readonly minuteOf: (m: number) => QosSample[]) {
    const first = minuteOf(0);
    this.warm.handle({ type: 'samples', samples: this.forEngine(first, 0) });
    this.naive.handle(first);
  }

  /** Minute `m`'s samples as the de-duplicator hands them on to the engine (each minute once, in order). */
  forEngine(samples: QosSample[], m: number): QosSample[] {
    return this.dedup.filter(samples, T + m * 60_000);
  }

  /** Makes minute `m` the next one read (by the engine: as the de-duplicator hands it on). */
  fresh(m: number, engine = false): void {
    this.next = [];
    gc();
    this.next = engine ? this.forEngine(this.minuteOf(m), m) : this.minuteOf(m);
  }
}

/** The most this process has held resident so far. */
const peak = (): string => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;

describe('rule evaluation', () => {
  bench(
    '100,000 samples x 50 rules, warm: the engine vs a naive Map-and-loop evaluator',
    async () => {
      // The warm engine and the naive evaluator live only while this figure is measured.
      // Who the participants are comes from `usual`; each minute's values from `drifting`: 1% of
      // the participants change state every minute (half turn degraded, half recover) and every
      // value moves a little, so that alerts go pending, fire and resolve in the timed minutes
      // (with the same values every minute, not one state changed after the first).
      // `drifting` reads who they are (a sample's refs), not their numbers: given none, they
      // hold 100,000 samples' numbers less through the warm figures.
      const who = samples(1000, 100, T, 0.05, { sharedValues: true, whoOnly: true });
      const minuteOf = (m: number): QosSample[] => drifting(who, m, T + m * 60_000);
      const pair = new WarmPair(minuteOf);
      const { warm } = pair;
      let minute = 0;
      let changes = 0;
      const engineSide = {
        setup: () => pair.fresh(minute, true),
        run: () => void (changes += warm.handle({ type: 'samples', samples: pair.next }).length),
      };
      const naiveSide = {
        setup: () => pair.fresh(++minute),
        run: () => pair.naive.handle(pair.next),
      };
      const naiveBefore = pair.naive.changes;
      const rounds = 5;
      const warmup = 3;
      await compare(
        '100,000 samples x 50 rules, 5% degraded, 1% changing state a minute, warm engine / naive Map-and-loop evaluator',
        engineSide,
        naiveSide,
        // collect: each timed region starts with an empty young generation (the 100,000 samples
        // just built are promoted before it, for both sides alike) and ends by collecting it
        // (what the side's run made and keeps is promoted on its own time).
        // Three minutes of warm-up: the optimizing compiler is still at work in the first ones.
        { rounds, warmup, collect: true },
      );
      note(
        "state changes a minute in the warm figure's minutes, engine",
        `${Math.round(changes / (rounds + warmup))} (naive evaluator: ${Math.round((pair.naive.changes - naiveBefore) / (rounds + warmup))})`,
      );
      note('evaluate.bench.ts peak resident set up to the end of the warm figure', peak());
      // The steady state: each side alone for 3 consecutive minutes (2 counted), no forced
      // collection inside the block (the heap grows: 4 minutes peaked at 1018 MiB resident),
      // each building its minute's samples before it (untimed) and dropping them
      // after: the mean per minute, with the collections each side's work brings on.
      let engineMinute = minute;
      let naiveMinute = minute;
      let next: QosSample[] = [];
      const own = (m: number, engine = false): void =>
        void (next = engine ? pair.forEngine(minuteOf(m), m) : minuteOf(m));
      const take = (): QosSample[] => {
        const taken = next;
        next = [];
        return taken;
      };
      pair.next = [];
      await steady(
        '100,000 samples x 50 rules, 5% degraded, 1% changing state a minute, steady state (each side alone for consecutive minutes, no forced collection, mean per minute), warm engine / naive Map-and-loop evaluator',
        {
          setup: () => {
            // The naive evaluator's block came first and is over: let go of and collected
            // before the engine's first minute (not counted: settle), outside the timed region.
            if (engineMinute === minute) pair.dropNaive();
            own(++engineMinute, true);
          },
          run: () => void warm.handle({ type: 'samples', samples: take() }),
        },
        { setup: () => own(++naiveMinute), run: () => pair.naive.handle(take()) },
        { blocks: 1, per: 3, settle: 1 },
      );
      note('evaluate.bench.ts peak resident set up to the end of the warm figures', peak());
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
  bench(
    '100,000 samples x 50 rules, warm, a quiet minute: the engine vs a naive Map-and-loop evaluator',
    async () => {
      // The prototype's workload (issue 16): the same values every minute, so that after the
      // warm-up nothing changes state, apart from the figure above's minutes where 1% do. The
      // slowest rule's `for` is 3 minutes: the 5 warm-up minutes see every pending alert fire.
      gc();
      const who = usual();
      const pair = new WarmPair((m) => who.map((s) => again(s, T + m * 60_000)));
      let minute = 0;
      let changes = 0;
      const rounds = 5;
      const warmup = 5;
      await compare(
        '100,000 samples x 50 rules, 5% degraded, a quiet minute (the same values again: no state changes), warm engine / naive Map-and-loop evaluator',
        {
          setup: () => pair.fresh(minute, true),
          run: () => {
            const made = pair.warm.handle({ type: 'samples', samples: pair.next }).length;
            if (minute > warmup) changes += made;
          },
        },
        { setup: () => pair.fresh(++minute), run: () => pair.naive.handle(pair.next) },
        { rounds, warmup, collect: true },
      );
      note("state changes in the quiet figure's counted minutes, engine (0 expected)", String(changes));
      note('evaluate.bench.ts peak resident set up to the end of the quiet figure', peak());
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
  bench(
    'meetings end in a warm engine of 100,000 joins, its meeting rules a family of 6 sharing their readings',
    async () => {
      // Each end lets go of its meeting's groups (group-keys.ts): what that costs, and the family's
      // next minute, are to follow the meetings that end, not the joins the engine holds.
      gc();
      const per = 10;
      const big = new EndingMeetings(rules, usual(), T, 3);
      const small = new EndingMeetings(rules, samples(100, 100, T, 0.05, { sharedValues: true }), T, 3);
      await compare(
        `${per} meetings of 100 end, each run after a quiet minute: an engine of 100,000 joins / one of 10,000 (1x: as the meetings that end; 10x: as the joins the engine holds)`,
        { setup: () => big.quiet(), run: () => big.end(per) },
        { setup: () => small.quiet(), run: () => small.end(per) },
        { rounds: 5, warmup: 1, collect: true },
      );
      await compare(
        `a quiet minute of 100,000 joins x 50 rules, after ${per} meetings ended / after none did`,
        {
          setup: () => {
            big.end(per);
            big.fresh();
          },
          run: () => big.read(),
        },
        { setup: () => big.fresh(), run: () => big.read() },
        { rounds: 5, warmup: 2, collect: true },
      );
      note('evaluate.bench.ts peak resident set up to the end of the meeting ends', peak());
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
      // Wall and CPU time (process.cpuUsage: the collector's helper threads too): on a machine
      // shared with others the wall time also counts what they ran meanwhile.
      const minute = (m: number): { ms: number; cpuMs: number; firing: number } => {
        const next = first.map((s) => again(s, T + m * 60_000));
        const cpu = cpuNow();
        const start = performance.now();
        const changes = engine.handle({ type: 'samples', samples: next });
        let firing = 0;
        for (const c of changes) if (c.alert.state === 'firing') firing++;
        return { ms: performance.now() - start, cpuMs: cpuNow() - cpu, firing };
      };
      const quiet = minute(1);
      const storm = minute(2);
      const per = (ms: number, quietMs: number): string =>
        (((ms - quietMs) * 1000) / storm.firing).toFixed(1);
      const s = (ms: number): string => (ms / 1000).toFixed(2);
      note(
        `alert storm, 100,000 samples x 50 rules, 5% degraded: ${storm.firing} alerts fire in one minute, time per firing alert (that minute less a quiet one), CPU and wall`,
        `${per(storm.cpuMs, quiet.cpuMs)} us CPU (${s(storm.cpuMs)} s vs ${s(quiet.cpuMs)} s), ${per(storm.ms, quiet.ms)} us wall (${s(storm.ms)} s vs ${s(quiet.ms)} s); resident set with them held ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, peak so far ${peak()}`,
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
