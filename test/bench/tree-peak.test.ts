import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { peakLines, startSampler, type TreePeaks } from './tree-peak.js';

const proc = mkdtempSync(join(tmpdir(), 'qw-tree-peak-'));
afterAll(() => rmSync(proc, { recursive: true, force: true }));

/** A process in the made-up /proc: its parent, its command line, its resident set (MiB) and children. */
function process_(pid: number, ppid: number, argv: string[], mib: number, children: number[] = []): void {
  mkdirSync(join(proc, String(pid), 'task', String(pid)), { recursive: true });
  writeFileSync(join(proc, String(pid), 'status'), `Name:\t${argv[0]}\nPPid:\t${ppid}\n`);
  writeFileSync(join(proc, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
  writeFileSync(join(proc, String(pid), 'statm'), `99999 ${mib * 256} 0 0 0 0 0\n`);
  writeFileSync(
    join(proc, String(pid), 'task', String(pid), 'children'),
    children.map((c) => `${c} `).join(''),
  );
}

// evaluate.bench.ts as it failed at load 23 (tree 1,046 MiB): npx, the shell, vitest's main
// process, the runner; here the runner also started a side of its own (scrape.bench's, say).
process_(100, 1, ['bash'], 5, [200]);
process_(200, 100, ['npm exec vitest bench'], 66, [201]);
process_(201, 200, ['sh', '-c', 'vitest bench --run --maxWorkers=1'], 2, [202]);
process_(202, 201, ['node', '/w/node_modules/.bin/vitest', 'bench'], 195, [300]);
process_(300, 202, ['node', '/w/node_modules/vitest/dist/workers/forks.js'], 782, [400]);
process_(400, 300, ['node', 'test/bench/scrape-side.mjs'], 100);

describe('a bench file peak memory (tree-peak.ts)', () => {
  // Old code: the sampler read only the real /proc, and the bound read the whole tree.
  it('sums the runner and what it starts apart from the whole tree, npm and vitest above it', async () => {
    const peaks = await startSampler(300, 202, proc).stop();
    expect(peaks).toEqual({
      tree: {
        kib: (66 + 2 + 195 + 782 + 100) * 1024,
        parts: [
          ['npm', 66 * 1024],
          ['sh', 2 * 1024],
          ['vitest', 195 * 1024],
          ['this runner', 782 * 1024],
          ['node test/bench/scrape-side.mjs', 100 * 1024],
        ],
      },
      runner: {
        kib: (782 + 100) * 1024,
        parts: [
          ['this runner', 782 * 1024],
          ['node test/bench/scrape-side.mjs', 100 * 1024],
        ],
      },
      runnerStart: 782 * 1024,
    });
  });

  const peaks = (treeMiB: number, runnerMiB: number): TreePeaks => ({
    tree: {
      kib: treeMiB * 1024,
      parts: [
        ['vitest', (treeMiB - runnerMiB) * 1024],
        ['this runner', runnerMiB * 1024],
      ],
    },
    runner: { kib: runnerMiB * 1024, parts: [['this runner', runnerMiB * 1024]] },
    runnerStart: 90 * 1024,
  });

  // Old code: a tree of 1,046 MiB failed evaluate.bench.ts, its runner at 782 MiB.
  it('bounds the runner and what it starts, not the harness above it', () => {
    const lines = peakLines('evaluate.bench.ts', peaks(1046, 782));
    expect(lines.over).toBeUndefined();
    expect(lines.figures).toEqual([
      [
        'evaluate.bench.ts peak memory of the bench runner and the processes it starts (resident sets summed at one instant, sampled every 20 ms)',
        '782 MiB: this runner 782 MiB; the runner at its start 90 MiB',
      ],
      [
        "evaluate.bench.ts peak memory of its whole process tree, npm and vitest's main process included (not bounded)",
        '1046 MiB: vitest 264 MiB, this runner 782 MiB',
      ],
    ]);
  });

  it('says a runner over 1 GiB an engine is over', () => {
    expect(peakLines('evaluate.bench.ts', peaks(1300, 1025)).over).toBe(
      '[over 1 GiB] evaluate.bench.ts: the bench runner and the processes it starts peaked at 1025 MiB, over the 1 GiB bound of npm run bench',
    );
    expect(peakLines('evaluate-ab.bench.ts', peaks(1300, 1025), 2).over).toBeUndefined();
    expect(peakLines('evaluate-ab.bench.ts', peaks(2400, 2049), 2).over).toBe(
      '[over 2 GiB] evaluate-ab.bench.ts: the bench runner and the processes it starts peaked at 2049 MiB, over the 2 GiB bound',
    );
  });
});
