import { bench, describe } from 'vitest';
import { Pipeline, shifted } from './pipeline.js';
import { heapUsed, note } from './ratio.js';
import { bigScenario, MINUTE, qosPages, START } from './zoom-pages.js';

// 500 live participants (50 meetings of 10) polled every minute for 3 simulated hours on a
// virtual clock, a scrape after every cycle; the heap (after a full GC) per live participant.
const PARTICIPANTS = 500;
const at = START + 30 * MINUTE;
const base = qosPages(bigScenario(50, 10), at);
const checkpoints = new Map([
  [3, 'after 3 cycles'],
  [30, 'after 30 min'],
  [180, 'after 3 h'],
]);

describe('heap per live participant over simulated hours', () => {
  bench(
    '500 participants, one cycle a minute for 3 hours (injected clock)',
    async () => {
      // The daemon's own fixed state (rules, registry) is not per participant: measured from here.
      const pipe = new Pipeline(at);
      const before = heapUsed();
      for (let cycle = 1; cycle <= 180; cycle++) {
        await pipe.cycle(shifted(base, cycle));
        pipe.advance();
        const label = checkpoints.get(cycle);
        if (label)
          note(
            `heap per live participant ${label}`,
            `${((heapUsed() - before) / PARTICIPANTS / 1024).toFixed(2)} KiB (de-duplicator: ${pipe.dedup.size} entries)`,
          );
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
