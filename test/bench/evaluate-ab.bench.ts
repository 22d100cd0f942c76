import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bench, describe } from 'vitest';
import type { QosSample } from '../../src/normalize/sample.js';
import type { EndingMeetings } from './ending-meetings.js';
import { gc, compare } from './ratio.js';
import { printTreePeak } from './tree-peak.js';

/**
 * This tree's rule engine against another checkout's, in one process: the same minutes,
 * alternating between the two builds, so that a shared machine's load falls on both alike and a
 * 15% change is visible (two runs of evaluate.bench.ts, one per build, cannot see it at a load
 * of 10). QW_AB_BASE names the other checkout (a worktree of main with its node_modules, or a
 * symlink to ours); `QW_AB_BASE=.` runs this tree against itself: the noise floor of the
 * figure. Without QW_AB_BASE the file is skipped (`npm run bench` would hold two warm engines:
 * 904 MiB peak at load 17).
 *
 *   QW_AB_BASE=/tmp/main-tree npx vitest bench --run test/bench/evaluate-ab.bench.ts
 *
 * Each build makes its samples with its own bench workload: a sample's numbers are attached
 * through a module of that build (normalize/sample-numbers.ts), and another build's engine would
 * not see them and read every sample the slow way.
 */
const T = Date.parse('2026-01-01T10:00:00Z');
const here = fileURLToPath(new URL('../..', import.meta.url));
const base = resolve(here, process.env.QW_AB_BASE ?? '.');
/** Two warm engines at once, this tree's and the other's: a bound of 1 GiB for each (tree-peak.ts). */
if (process.env.QW_AB_BASE !== undefined) printTreePeak('evaluate-ab.bench.ts', 2);

interface Build {
  engine: { handle: (e: { type: 'samples'; samples: QosSample[] }) => unknown[] };
  minute: (m: number) => QosSample[];
}

/** A warm engine of the build at `root`, and its minutes (changing: 1% change state a minute; else the same values again). */
async function build(root: string, changing: boolean): Promise<Build> {
  const { RuleEngine } = (await import(
    `${root}/src/evaluate/engine.ts`
  )) as typeof import('../../src/evaluate/engine.js');
  const { fiftyRules } = (await import(
    `${root}/test/bench/fifty-rules.ts`
  )) as typeof import('./fifty-rules.js');
  const w = (await import(`${root}/test/bench/workload.ts`)) as typeof import('./workload.js');
  const who = w.samples(1000, 100, T, 0.05, { sharedValues: true });
  const engine = new RuleEngine(fiftyRules(), { gapToleranceMs: 300_000 });
  const minute = (m: number): QosSample[] =>
    changing ? w.drifting(who, m, T + m * 60_000) : who.map((s) => w.again(s, T + m * 60_000));
  engine.handle({ type: 'samples', samples: minute(0) });
  return { engine, minute };
}

/**
 * A warm engine of the build at `root` over 1,000 meetings of 100 joins (the fifty rules: the
 * meeting rules a family of 6), whose meetings end a few at a time (ending-meetings.ts).
 */
async function ending(root: string): Promise<EndingMeetings> {
  const { EndingMeetings: Ending } = (await import(
    `${root}/test/bench/ending-meetings.ts`
  )) as typeof import('./ending-meetings.js');
  const { fiftyRules } = (await import(
    `${root}/test/bench/fifty-rules.ts`
  )) as typeof import('./fifty-rules.js');
  const w = (await import(`${root}/test/bench/workload.ts`)) as typeof import('./workload.js');
  return new Ending(fiftyRules(), w.samples(1000, 100, T, 0.05, { sharedValues: true }), T, 3);
}

/** One build's side of the comparison: its next minute made in the setup, outside the timed region. */
function side(b: Build): { setup: () => void; run: () => void } {
  let m = 0;
  let next: QosSample[] = [];
  return {
    setup: () => {
      next = [];
      gc();
      next = b.minute(++m);
    },
    run: () => void b.engine.handle({ type: 'samples', samples: next }),
  };
}

describe.skipIf(process.env.QW_AB_BASE === undefined)(
  `rule evaluation, this tree's engine against ${base}'s, minutes alternating`,
  () => {
    for (const changing of [true, false])
      bench(
        `100,000 samples x 50 rules, 5% degraded, ${changing ? '1% changing state a minute' : 'a quiet minute'}: this tree / ${base}`,
        async () => {
          gc();
          const mine = side(await build(here, changing));
          const theirs = side(await build(base, changing));
          await compare(
            `A/B, 100,000 samples x 50 rules, 5% degraded, ${changing ? '1% changing state a minute' : 'a quiet minute'}, warm: this tree / ${base}`,
            mine,
            theirs,
            { rounds: 8, warmup: 5, collect: true },
          );
        },
        { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
      );
    bench(
      `meetings end in a warm engine of 100,000 joins x 50 rules: this tree / ${base}`,
      async () => {
        gc();
        const per = 10;
        const mine = await ending(here);
        const theirs = await ending(base);
        await compare(
          `A/B, ${per} meetings of 100 end, each run after a quiet minute, 100,000 joins x 50 rules: this tree / ${base}`,
          { setup: () => mine.quiet(), run: () => mine.end(per) },
          { setup: () => theirs.quiet(), run: () => theirs.end(per) },
          { rounds: 8, warmup: 2, collect: true },
        );
        const after = (e: EndingMeetings): { setup: () => void; run: () => number } => ({
          setup: () => {
            e.end(per);
            e.fresh();
          },
          run: () => e.read(),
        });
        await compare(
          `A/B, the quiet minute after ${per} meetings ended, 100,000 joins x 50 rules: this tree / ${base}`,
          after(mine),
          after(theirs),
          { rounds: 8, warmup: 2, collect: true },
        );
      },
      { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
    );
  },
);
