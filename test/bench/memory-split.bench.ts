import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { bench, describe } from 'vitest';
import { Pipeline, shifted } from './pipeline.js';
import { gc, note } from './ratio.js';
import { bigScenario, MINUTE, qosPages, START } from './zoom-pages.js';
import { printTreePeak } from './tree-peak.js';

printTreePeak('memory-split.bench.ts');

// Heap per live participant split by part: 500 participants (50 meetings of 10) polled for 30
// simulated minutes, then each part let go in turn (the live state, the scrape's kept text, the
// rule engine's state, the de-duplicator) with a heap snapshot before and after. A part's figure
// is what only it held (live objects in the snapshot, compiled code left out); what two parts
// share (participant keys) counts in the last one let go.
const PARTICIPANTS = 500;
const CYCLES = 30;
const at = START + 30 * MINUTE;
const all = qosPages(bigScenario(50, 10), at);

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
}

/** Bytes of every live object in a heap snapshot of now, compiled code left out. */
function liveBytes(dir: string): number {
  gc();
  const file = writeHeapSnapshot(join(dir, 'heap.heapsnapshot'));
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  rmSync(file);
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const type = fields.indexOf('type');
  const size = fields.indexOf('self_size');
  let bytes = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length)
    if (types[snap.nodes[i + type]!] !== 'code') bytes += snap.nodes[i + size]!;
  return bytes;
}

describe('heap per live participant, by part', () => {
  bench(
    '500 participants, 30 cycles, each part let go in turn (heap snapshots)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'qw-heap-'));
      const pipe = new Pipeline(at - MINUTE);
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        await pipe.cycle(shifted(all, cycle));
        pipe.advance();
      }
      const ended = [...pipe.daemon.parts.live.instances.values()].map((i) => ({
        type: 'ended' as const,
        instance: i.ref,
        at: pipe.clock.now(),
      }));
      const parts: [string, () => unknown][] = [
        [
          'live state (kept values, context, who)',
          () => ended.forEach((e) => pipe.daemon.parts.live.handle(e)),
        ],
        ['scrape (kept text)', () => pipe.daemon.parts.metrics.text()],
        ['rule engine state', () => ended.forEach((e) => pipe.daemon.parts.engine.handle(e))],
        ['de-duplicator', () => pipe.dedup.filter([], pipe.clock.now() + 24 * 3_600_000)],
      ];
      let before = liveBytes(dir);
      for (const [part, letGo] of parts) {
        await letGo();
        const after = liveBytes(dir);
        note(
          `heap per live participant: ${part}`,
          `${((before - after) / PARTICIPANTS / 1024).toFixed(2)} KiB`,
        );
        before = after;
      }
      rmSync(dir, { recursive: true, force: true });
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
