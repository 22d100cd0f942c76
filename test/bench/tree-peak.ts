import { Worker } from 'node:worker_threads';
import { afterAll } from 'vitest';
import { note } from './ratio.js';

/** The bound on a bench file's tree peak, for each warm rule engine it holds: 1 GiB. */
const ENGINE_GIB = 1;

/**
 * The peak memory of a bench file's whole process tree: npm (or npx) and vitest's main process
 * above the bench runner, the runner itself and every process it starts (scrape.bench's sides,
 * http-cycle.bench's simulator, startup.bench's daemons). Processes' own peaks (maxRSS, VmHWM)
 * cannot be summed: two peaks need not fall at the same time, and vitest's main process carries
 * its peak over from the files before. So a thread of the runner's own (tree-sampler.mjs; it
 * samples while the runner's main thread is busy in a timed region) reads /proc every 20 ms and
 * keeps the largest sum of the tree's resident sets at one instant. The thread is in the figure
 * (its heap is in the runner's resident set). A peak shorter than 20 ms can be missed; the
 * runner's own maxRSS is printed beside it. Linux only.
 *
 * `npm run bench` must stay under 1 GiB (issue 16): a tree peak over it is printed as a line of
 * its own, `[over 1 GiB]`, and fails the file's run, so that it cannot pass unseen. `engines`:
 * how many warm rule engines the file holds at once. evaluate-ab.bench.ts holds two (this tree's
 * and another build's; npm run bench skips it) and peaked at 1,035-1,102 MiB: its bound is
 * 2 GiB, 1 GiB an engine, and its figure and `[over 2 GiB]` line say so.
 */
export function printTreePeak(file: string, engines = 1): void {
  if (process.platform !== 'linux') return;
  const worker = new Worker(new URL('tree-sampler.mjs', import.meta.url), {
    workerData: { runner: process.pid, vitest: process.ppid },
  });
  worker.unref();
  afterAll(async () => {
    const peak = await new Promise<{ kib: number; parts: [string, number][] }>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage('stop');
    });
    await worker.terminate();
    const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
    const bound = `${engines * ENGINE_GIB} GiB`;
    const of =
      engines === 1
        ? ''
        : `, bound ${bound}: ${ENGINE_GIB} GiB for each of the ${engines} rule engines it holds`;
    note(
      `${file} peak memory of its whole process tree (resident sets summed at one instant, sampled every 20 ms${of})`,
      `${mib(peak.kib)}: ${peak.parts
        .filter(([, kib]) => kib > 0)
        .map(([name, kib]) => `${name} ${mib(kib)}`)
        .join(', ')}; the runner's own peak ${mib(process.resourceUsage().maxRSS)}`,
    );
    if (peak.kib > engines * ENGINE_GIB * 1024 * 1024) {
      const over = `[over ${bound}] ${file}: its process tree peaked at ${mib(peak.kib)}, over the ${bound} bound${engines === 1 ? ' of npm run bench' : ''}`;
      console.log(over);
      throw new Error(over);
    }
  });
}
