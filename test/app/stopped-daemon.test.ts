import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import type { Clock, VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { startSim } from '../helpers/sim.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The simulator's virtual clock, whose sleeps wait for what the test does after a cycle first. */
class AfterCycle implements Clock {
  between: Promise<unknown> = Promise.resolve();
  constructor(private readonly inner: VirtualClock) {}
  now(): number {
    return this.inner.now();
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.between;
    return this.inner.sleep(ms, signal);
  }
}

/**
 * A daemon over the simulator that polls once, is scraped (its metrics registry is loaded with
 * prom-client's default metrics), and is stopped; what is left is a weak reference to its rule
 * engine and one to the daemon.
 */
async function stoppedDaemon(): Promise<{ engine: WeakRef<object>; daemon: WeakRef<object> }> {
  const sim = await startSim({
    meetings: [{ id: 90_000_000_001, topic: 'Freed', start: '0m', end: '600m', crowd: { count: 5 } }],
  });
  try {
    const config = demoConfig(sim.url, mkdtempSync(join(tmpdir(), 'qw-stopped-')), 0);
    config.sources = { meetings: true, webinars: false, sessions: false };
    const clock = new AfterCycle(sim.clock);
    const daemon = new Daemon(config, { clock, log: silentLogger() });
    const api = await daemon.listen(0);
    const stop = new AbortController();
    let scraped = '';
    await daemon.run(stop.signal, () => {
      clock.between = fetch(`${api}/metrics`).then(async (r) => {
        scraped = await r.text();
        stop.abort();
      });
    });
    expect(scraped).toContain('qoswatch_instance_participants{kind="meeting"');
    expect(scraped).toContain('nodejs_heap_size_used_bytes');
    return { engine: new WeakRef(daemon.parts.engine), daemon: new WeakRef(daemon) };
  } finally {
    await sim.close();
  }
}

describe('a stopped daemon', () => {
  it('is not kept by what prom-client keeps for the life of the process', async () => {
    const { engine, daemon } = await stoppedDaemon();
    // Weak references are cleared by a collection after the job that made them has ended.
    for (let i = 0; i < 5 && (engine.deref() || daemon.deref()); i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    expect(engine.deref()).toBeUndefined();
    expect(daemon.deref()).toBeUndefined();
  });
});
