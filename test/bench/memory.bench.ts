import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { readOwned, snapshotNow } from './heap-owned.js';
import { Pipeline, shifted } from './pipeline.js';
import { dataHeapUsed, note } from './ratio.js';
import { bigScenario, MINUTE, qosPages, START, type QosPages } from './zoom-pages.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('memory.bench.ts');

// 500 live participants (50 meetings of 10) polled every minute for 3 simulated hours on a
// virtual clock, a scrape after every cycle; the heap per live participant.
const PARTICIPANTS = 500;
const at = START + 30 * MINUTE;

/** The answers the bench replays: its own, left out of what the daemon holds (a class, so a snapshot names it). */
class Answers {
  readonly all: QosPages[] = qosPages(bigScenario(50, 10), at);
  readonly half = this.all.slice(0, 25);
}
const answers = new Answers();
const checkpoints = new Map([
  [3, 'after 3 cycles'],
  [30, 'after 30 min'],
  [180, 'after 3 h'],
]);

/**
 * The bench's schedule: `measure('empty')` on a new daemon; it polls 250 of the participants for
 * 3 cycles (code compiled, registry and buffers grown: not per participant), `measure('warm')`;
 * then all 500 for 180 cycles, `measure(cycle)` at each checkpoint.
 */
async function run(measure: (at: 'empty' | 'warm' | number) => void | Promise<void>): Promise<Pipeline> {
  const pipe = new Pipeline(at - 3 * MINUTE);
  await measure('empty');
  for (let cycle = -3; cycle < 0; cycle++) {
    await pipe.cycle(shifted(answers.half, cycle));
    pipe.advance();
  }
  await measure('warm');
  for (let cycle = 1; cycle <= 180; cycle++) {
    await pipe.cycle(shifted(answers.all, cycle));
    pipe.advance();
    if (checkpoints.has(cycle)) await measure(cycle);
  }
  return pipe;
}

const figures = (label: string, empty: number, warm: number, heap: number): string =>
  `${((heap - warm) / (PARTICIPANTS / 2) / 1024).toFixed(2)} KiB per added participant; ${((heap - empty) / PARTICIPANTS / 1024).toFixed(2)} KiB above an empty daemon / 500 ${label}`;

describe('heap per live participant over simulated hours', () => {
  bench(
    '500 participants, one cycle a minute for 3 hours (injected clock): heap in use',
    async () => {
      // Two figures: everything above an empty daemon, and what one more participant costs
      // (the 250 added after the warm-up). Heap in use after a full collection, compiled code
      // left out but not its metadata, feedback and bytecode in old space: these grow as the
      // optimizing compiler reaches more code over the hours (the daemon's objects do not:
      // the next bench), and shrink when bytecode not run for a while is flushed.
      const heap = new Map<'empty' | 'warm' | number, number>();
      const pipe = await run((when) => void heap.set(when, dataHeapUsed()));
      for (const [cycle, label] of checkpoints)
        note(
          `heap in use per live participant ${label} (compiled code's metadata included)`,
          figures(
            `(de-duplicator: ${pipe.dedup.size} entries)`,
            heap.get('empty')!,
            heap.get('warm')!,
            heap.get(cycle)!,
          ),
        );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );

  bench(
    '500 participants, one cycle a minute for 3 hours (injected clock): the daemon objects (heap snapshots)',
    async () => {
      // The same schedule, the daemon's objects read by heap snapshots (code left out, the
      // bench's answers left out), written at each point and read at the end: reading one
      // compiles and runs code in this process, which a later snapshot would count.
      const dir = mkdtempSync(join(tmpdir(), 'qw-memory-'));
      const files = new Map<'empty' | 'warm' | number, string>();
      await run(async (when) => void files.set(when, await snapshotNow(join(dir, `${when}.heapsnapshot`))));
      const owned = new Map([...files].map(([when, file]) => [when, readOwned(file, ['Answers'])] as const));
      rmSync(dir, { recursive: true, force: true });
      const bytes = (when: 'empty' | 'warm' | number): number => owned.get(when)!.bytes;
      for (const [cycle, label] of checkpoints)
        note(
          `heap per live participant ${label} (the daemon's objects by heap snapshot)`,
          figures('', bytes('empty'), bytes('warm'), bytes(cycle)),
        );
      // What changed per participant from 3 cycles to 3 h, by holder.
      const a = owned.get(3)!.byOwner;
      const b = owned.get(180)!.byOwner;
      const changed = [...new Set([...a.keys(), ...b.keys()])]
        .map((k) => [k, (b.get(k) ?? 0) - (a.get(k) ?? 0)] as const)
        .filter(([, d]) => Math.abs(d) >= 2 * PARTICIPANTS)
        .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))
        .slice(0, 8);
      console.log(
        `[series] per live participant from 3 cycles to 3 h, by holder (>= 2 B)\n${changed
          .map(([k, d]) => `${(d / PARTICIPANTS).toFixed(0).padStart(5)} B  ${k}`)
          .join('\n')}`,
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
