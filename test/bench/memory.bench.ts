import { bench, describe } from 'vitest';
import { Pipeline, shifted } from './pipeline.js';
import { dataHeapUsed, note } from './ratio.js';
import { bigScenario, MINUTE, qosPages, START } from './zoom-pages.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('memory.bench.ts');

// 500 live participants (50 meetings of 10) polled every minute for 3 simulated hours on a
// virtual clock, a scrape after every cycle; the heap (after a full GC, compiled code left out)
// per live participant.
const PARTICIPANTS = 500;
const at = START + 30 * MINUTE;
const all = qosPages(bigScenario(50, 10), at);
const half = all.slice(0, 25);
const checkpoints = new Map([
  [3, 'after 3 cycles'],
  [30, 'after 30 min'],
  [180, 'after 3 h'],
]);

describe('heap per live participant over simulated hours', () => {
  bench(
    '500 participants, one cycle a minute for 3 hours (injected clock)',
    async () => {
      // Two figures: everything above an empty daemon, and what one more participant costs.
      // For the second, the daemon first polls 250 of them for 3 cycles (code compiled,
      // registry and buffers grown: not per participant), then all 500.
      const pipe = new Pipeline(at - 3 * MINUTE);
      const empty = dataHeapUsed();
      for (let cycle = -3; cycle < 0; cycle++) {
        await pipe.cycle(shifted(half, cycle));
        pipe.advance();
      }
      const warm = dataHeapUsed();
      for (let cycle = 1; cycle <= 180; cycle++) {
        await pipe.cycle(shifted(all, cycle));
        pipe.advance();
        const label = checkpoints.get(cycle);
        if (!label) continue;
        const heap = dataHeapUsed();
        note(
          `heap per live participant ${label}`,
          `${((heap - warm) / (PARTICIPANTS / 2) / 1024).toFixed(2)} KiB per added participant; ${((heap - empty) / PARTICIPANTS / 1024).toFixed(2)} KiB above an empty daemon / 500 (de-duplicator: ${pipe.dedup.size} entries)`,
        );
      }
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
