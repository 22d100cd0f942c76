import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { demoConfig } from '../../src/cli/demo-config.js';
import { Daemon } from '../../src/app/daemon.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { samples } from './workload.js';

const T = Date.parse('2026-01-01T10:00:00Z');
const config = demoConfig('http://127.0.0.1:9', mkdtempSync(join(tmpdir(), 'qw-bench-')), 0);
config.metrics.topicLabel = false; // default settings
const daemon = new Daemon(config, { clock: new VirtualClock(T), log: silentLogger() });
const before = process.memoryUsage().heapUsed;
daemon.sink.handle({ type: 'samples', samples: samples(100, 50, T) }); // 5,000 live participants
const after = process.memoryUsage().heapUsed;
console.log(`live state of 5,000 participants: ~${Math.round((after - before) / 1024 / 1024)} MiB of heap`);
const text = await daemon.metrics.text();
console.log(
  `/metrics: ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} series, ${Math.round(text.length / 1024)} KiB`,
);

describe('a scrape at 5,000 live participants (default settings)', () => {
  bench(
    'after new samples (aggregates recomputed)',
    async () => {
      daemon.live.version++;
      await daemon.metrics.text();
    },
    { iterations: 20, warmupIterations: 2 },
  );
  bench(
    'unchanged state (aggregates cached)',
    async () => {
      await daemon.metrics.text();
    },
    { iterations: 20, warmupIterations: 2 },
  );
});
