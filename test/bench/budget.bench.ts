import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { FileBudgetStore } from '../../src/zoom/budget-file.js';
import { DailyBudget } from '../../src/zoom/daily-budget.js';
import { parseOnly } from './pipeline.js';
import { compare, note } from './ratio.js';
import { bigScenario, bytesOf, MINUTE, qosPages, START } from './zoom-pages.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('budget.bench.ts');

// The daily budget file (state.dir/budget-<account>.json) during one poll cycle at 5,000 live
// participants: 500 meetings of 10, one QoS page each, so 500 calls, each checked and counted
// in the budget as the client does (check before the token and permit, take once it can leave).
// The reference is JSON.parse of the same cycle's 500 answers. The state dir is on the same
// disk as the worktree (ext4), as a daemon's would be.
const CALLS = 500;
const pages = qosPages(bigScenario(CALLS, 10), START + 30 * MINUTE);
note('budget bench reference', `JSON.parse of ${CALLS} QoS pages, ${(bytesOf(pages) / 1e6).toFixed(1)} MB`);

const dir = mkdtempSync(join(tmpdir(), 'qw-budget-bench-'));
const clock = new VirtualClock(START);
let n = 0;
/** A fresh budget file per round (a large pool: nothing is refused). */
const budget = (): DailyBudget =>
  new DailyBudget(10_000_000, 1, clock, new FileBudgetStore(join(dir, String(n++)), 'zoom'));

describe('the daily budget file in a poll cycle of 500 calls', () => {
  bench(
    'per call, and in a block, vs JSON.parse of the cycle',
    async () => {
      let b = budget();
      await compare(
        '500 calls counted in the budget file, one lock + read + write + rename each / JSON.parse of their answers',
        {
          setup: () => (b = budget()),
          run: () => {
            for (let i = 0; i < CALLS; i++) {
              b.check('meetingQos');
              b.take('meetingQos');
            }
          },
        },
        { run: () => parseOnly(pages) },
        { rounds: 7, warmup: 1 },
      );
      await compare(
        "500 calls within the cycle's block (held under one lock, the rest given back under another) / JSON.parse of their answers",
        {
          setup: () => (b = budget()),
          run: () => {
            b.hold(CALLS + 10);
            for (let i = 0; i < CALLS; i++) {
              b.check('meetingQos');
              b.take('meetingQos');
            }
            b.release();
          },
        },
        { run: () => parseOnly(pages) },
        { rounds: 7, warmup: 1 },
      );
      rmSync(dir, { recursive: true, force: true });
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
