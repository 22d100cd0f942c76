import { Worker } from 'node:worker_threads';
import { afterAll } from 'vitest';
import { note } from './ratio.js';

/** The bound on a bench file's runner peak, for each warm rule engine it holds: 1 GiB. */
const ENGINE_GIB = 1;

/** A peak: the sum of resident sets (KiB) at one instant, and each process's part then. */
export interface Peak {
  kib: number;
  parts: [string, number][];
}

/** What tree-sampler.mjs answers: its two peaks, and the runner's resident set at its start. */
export interface TreePeaks {
  tree: Peak;
  runner: Peak;
  runnerStart: number;
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const partsOf = (peak: Peak): string =>
  peak.parts
    .filter(([, kib]) => kib > 0)
    .map(([name, kib]) => `${name} ${mib(kib)}`)
    .join(', ');

/**
 * The sampler thread of a bench runner (tree-sampler.mjs), reading /proc (or `proc`, a test's)
 * every 20 ms from the runner `runner` and vitest's main process `vitest` (its parent) up.
 */
export function startSampler(
  runner: number,
  vitest: number,
  proc?: string,
): { stop: () => Promise<TreePeaks> } {
  const worker = new Worker(new URL('tree-sampler.mjs', import.meta.url), {
    workerData: { runner, vitest, proc },
  });
  worker.unref();
  return {
    stop: async () => {
      const peaks = await new Promise<TreePeaks>((resolve) => {
        worker.once('message', resolve);
        worker.postMessage('stop');
      });
      await worker.terminate();
      return peaks;
    },
  };
}

/**
 * The figure lines of a bench file's peaks, and its `[over N GiB]` line when the runner's peak
 * is over the bound (undefined when not).
 */
export function peakLines(
  file: string,
  peaks: TreePeaks,
  engines = 1,
): { figures: [string, string][]; over?: string } {
  const bound = `${engines * ENGINE_GIB} GiB`;
  const of =
    engines === 1
      ? ''
      : `, bound ${bound}: ${ENGINE_GIB} GiB for each of the ${engines} rule engines it holds`;
  const { tree, runner } = peaks;
  const figures: [string, string][] = [
    [
      `${file} peak memory of the bench runner and the processes it starts (resident sets summed at one instant, sampled every 20 ms${of})`,
      `${mib(runner.kib)}: ${partsOf(runner)}; the runner at its start ${mib(peaks.runnerStart)}`,
    ],
    [
      `${file} peak memory of its whole process tree, npm and vitest's main process included (not bounded)`,
      `${mib(tree.kib)}: ${partsOf(tree)}`,
    ],
  ];
  if (runner.kib <= engines * ENGINE_GIB * 1024 * 1024) return { figures };
  const over = `[over ${bound}] ${file}: the bench runner and the processes it starts peaked at ${mib(runner.kib)}, over the ${bound} bound${engines === 1 ? ' of npm run bench' : ''}`;
  return { figures, over };
}

/**
 * The peak memory of a bench file's runner and every process it starts (scrape.bench's sides,
 * http-cycle.bench's simulator, startup.bench's daemons): what qoswatch's code holds, the
 * bench's data with it. Processes' own peaks (maxRSS, VmHWM) cannot be summed: two peaks need
 * not fall at the same time. So a thread of the runner's own (tree-sampler.mjs; it samples
 * while the runner's main thread is busy in a timed region) reads /proc every 20 ms and keeps
 * the largest sum of their resident sets at one instant. The thread is in the figure (its heap is
 * in the runner's resident set). A peak shorter than 20 ms can be missed; the runner's own maxRSS
 * is printed beside it. Linux only.
 *
 * `npm run bench` must stay under 1 GiB (issue 16): a runner peak over it is printed as a line
 * of its own, `[over 1 GiB]`, and fails the file's run, so that it cannot pass unseen. The bound
 * once read the whole process tree, npm (or npx) and vitest's main process above the runner
 * included: about 260 MiB of test harness, the same whatever qoswatch does (npx 64-66 MiB,
 * vitest's main process 146-210 MiB, with what it ran before and its garbage), which left
 * evaluate.bench.ts's 50%-degraded storm (the engine's 1,075,015 series, honest: see
 * docs/architecture.md) 5% of room and failed it once at load 23 (1,046 MiB, runner 782 MiB).
 * The whole tree's peak is still printed, not bounded. `engines`: how many warm rule engines
 * the file holds at once. evaluate-ab.bench.ts holds two (this tree's and another build's; npm
 * run bench skips it): its bound is 2 GiB, 1 GiB an engine, and its figure and `[over 2 GiB]`
 * line say so.
 */
export function printTreePeak(file: string, engines = 1): void {
  if (process.platform !== 'linux') return;
  const sampler = startSampler(process.pid, process.ppid);
  afterAll(async () => {
    const { figures, over } = peakLines(file, await sampler.stop(), engines);
    for (const [what, value] of figures) note(what, value);
    const own = `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;
    note(`${file} the runner's own peak (maxRSS)`, own);
    if (!over) return;
    console.log(over);
    throw new Error(over);
  });
}
