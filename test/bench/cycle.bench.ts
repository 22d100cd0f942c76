import { bench, describe } from 'vitest';
import { normalizeParticipant } from '../../src/normalize/normalize.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { Pipeline, parseOnly, shifted } from './pipeline.js';
import { compare, heapUsed, note } from './ratio.js';
import { bigScenario, bytesOf, MINUTE, qosPages, START, type QosPages } from './zoom-pages.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('cycle.bench.ts');

// 5,000 live participants: 500 meetings of 10, one QoS page each (500 calls), every entry
// carrying the last 10 minutes, as Zoom's live answers do.
const at = START + 30 * MINUTE;
const base = qosPages(bigScenario(500, 10), at);
const calls = base.reduce((n, p) => n + p.bodies.length, 0);
note('warm cycle input', `${calls} QoS pages, ${(bytesOf(base) / 1e6).toFixed(1)} MB of JSON`);

// Heap per live participant after 3 cycles (a fresh daemon; heap after a full GC). The first
// daemon of the process also pays once for what is loaded or compiled at first use (prom-client,
// the optimizer's code for the cycle's functions), which is not per participant: the figure is
// taken on a second daemon, after a first one was run over the same answers and let go. The cold
// figure is printed beside it.
async function heapPerParticipant(pages: readonly QosPages[], participants: number): Promise<number> {
  const pipe = new Pipeline(at - 2 * MINUTE);
  const before = heapUsed(); // the daemon's fixed state (rules, registry) is not per participant
  for (let m = -2; m <= 0; m++) {
    await pipe.cycle(shifted(pages, m));
    pipe.advance();
  }
  return (heapUsed() - before) / participants / 1024;
}
{
  const cold = await heapPerParticipant(base, 5000);
  const warm = await heapPerParticipant(base, 5000);
  note('heap per live participant after 3 cycles', `${warm.toFixed(2)} KiB`);
  note("same, on the process's first daemon (first-use loading counted)", `${cold.toFixed(2)} KiB`);
}

const pipe = new Pipeline(at);
await pipe.cycle(base); // warm: the last 9 minutes of every participant seen
// The timed minutes start at 1: shifted(base, 0) would be `base` itself, not a fresh copy.
let minute = 1;
let next: QosPages[] = base;

describe('a warm poll cycle at 5,000 participants', () => {
  bench(
    'parse + normalize + dedup + evaluate + scrape vs JSON.parse of the same bytes',
    async () => {
      // Both sides start from the same state: their own fresh copy of the minute's answers
      // (34.6 MB of strings, as the network hands them), made in the setup, then (collect) two
      // scavenges before the timed region; two more end it, so each side pays for what it
      // leaves alive. Before, JSON.parse's setup made the bodies, its timed region scavenged
      // and promoted them, and the cycle then read them already promoted.
      await compare(
        'warm poll cycle at 5,000 participants (parse + normalize + dedup + evaluate + scrape) / JSON.parse',
        {
          setup: () => {
            next = [];
            next = shifted(base, minute++);
            pipe.advance();
          },
          run: () => pipe.cycle(next),
        },
        {
          setup: () => {
            next = [];
            next = shifted(base, minute);
          },
          run: () => parseOnly(next),
        },
        { rounds: 4, warmup: 0, collect: true },
      );
      await compare(
        'parse + normalize of the same cycle (no dedup, no evaluation) / JSON.parse',
        {
          run: () => {
            const stats = new NormalizeStats();
            let n = 0;
            for (const { instance, bodies } of next)
              for (const body of bodies)
                for (const raw of (JSON.parse(body) as { participants: unknown[] }).participants)
                  n += normalizeParticipant(instance, raw, {}, stats).length;
            return n;
          },
        },
        { run: () => parseOnly(next) },
        { rounds: 3, warmup: 0 },
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
