import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { scenarioFrom } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { BenchClock } from './bench-clock.js';
import { ownedHeap, type OwnedHeap } from './heap-owned.js';
import { note } from './ratio.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('poller-memory.bench.ts');

const T0 = Date.parse('2026-11-20T10:00:00Z');
const CYCLES = 5;
/** The simulator runs in this process: what only it holds is left out of the daemon's heap. */
const SIMULATOR = ['ZoomSimulator', 'World'];

/**
 * The real daemon (scheduler, joins, coverage, HTTP client, live state, rules, scrapes) over
 * the simulator with `participants` in meetings of 10 for CYCLES cycles, a scrape after each;
 * then what the process holds, the simulator left out.
 */
async function daemonHeap(participants: number, dir: string): Promise<OwnedHeap> {
  const virtual = new VirtualClock(T0 + 30 * 60_000);
  const clock = new BenchClock(virtual);
  const meetings = Array.from({ length: participants / 10 }, (_, i) => ({
    id: 90_000_000_000 + i,
    topic: `Meeting ${i}`,
    start: '0m',
    end: '2000m',
    crowd: { count: 10 },
  }));
  const sim = new ZoomSimulator(
    scenarioFrom({ name: 'poller memory', seed: 16, start: new Date(T0).toISOString(), meetings }, T0),
    virtual,
  );
  const url = await sim.listen(0, '127.0.0.1');
  const config = demoConfig(url, mkdtempSync(join(tmpdir(), 'qw-poller-')), 0);
  config.zoom!.dailyShare = 1;
  config.sources = { meetings: true, webinars: false, sessions: false };
  config.metrics.topicLabel = false; // default settings
  const daemon = new Daemon(config, { clock, log: silentLogger() });
  const api = await daemon.listen(0);
  let heap: OwnedHeap | undefined;
  let cycles = 0;
  const stop = new AbortController();
  await daemon.run(stop.signal, () => {
    clock.between = fetch(`${api}/metrics`).then(async (r) => {
      await r.text();
      if (++cycles < CYCLES) return;
      heap = await ownedHeap(dir, SIMULATOR);
      stop.abort();
    });
  });
  await sim.close();
  return heap!;
}

describe('heap per live participant, the real poller', () => {
  bench(
    `the daemon over the simulator (HTTP), 200 and 2,000 participants, after ${CYCLES} cycles (heap snapshots, the simulator left out)`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'qw-heap-'));
      await daemonHeap(200, dir); // first use: modules loaded, code compiled, caches filled
      const small = await daemonHeap(200, dir);
      const large = await daemonHeap(2_000, dir);
      rmSync(dir, { recursive: true, force: true });
      // Bytes too: the figure sits at its 2 KiB bound, where 2.00 KiB may be a few bytes over.
      const per = (a: number, b: number): string =>
        `${((b - a) / 1_800 / 1024).toFixed(2)} KiB (${Math.round((b - a) / 1_800)} B)`;
      note(
        'heap per live participant, the real poller (2,000 vs 200 participants)',
        per(small.bytes, large.bytes),
      );
      const owners = [...large.byOwner]
        .map(([owner, bytes]) => [owner, bytes - (small.byOwner.get(owner) ?? 0)] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12);
      console.log(
        `[series] heap per live participant by holder (the first class of ours on the way from the roots)\n${owners
          .map(([owner, bytes]) => `${(bytes / 1_800).toFixed(0).padStart(5)} B  ${owner}`)
          .join('\n')}`,
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
