import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { fromRoot } from '../../src/util/package-root.js';
import { silentLogger } from '../../src/util/logger.js';
import { holdClockInCycles, runUntil } from '../helpers/daemon.js';
import { startDefaultScenario, T0, type SimHarness } from '../helpers/sim.js';

/**
 * docs/examples/simulator.yaml, the README's "Running it against the simulator", run against the
 * real simulator serving the default scenario: its console notifier prints alerts. Before it,
 * the README showed no config for the simulator, and `run` with Zoom's defaults against
 * `simulate --speed 60` saw meetings end before any alert was due (0 notifications).
 */
let h: SimHarness;
let printed = '';

beforeAll(async () => {
  h = await startDefaultScenario();
  const dir = mkdtempSync(join(tmpdir(), 'qw-sim-example-'));
  const example = readFileSync(fromRoot('docs', 'examples', 'simulator.yaml'), 'utf8');
  expect(example).toContain('http://127.0.0.1:9780');
  // As written, but on the test simulator's port, a free metrics port and a fresh state folder.
  const file = join(dir, 'simulator.yaml');
  writeFileSync(
    file,
    example
      .replaceAll('http://127.0.0.1:9780', h.url)
      .replace('127.0.0.1:9781', '127.0.0.1:0')
      .replace('./qoswatch-state', join(dir, 'state')),
  );
  const config = loadConfig(file, {});
  const daemon = holdClockInCycles(new Daemon(config, { clock: h.clock, log: silentLogger() }), h);
  // The console notifier writes to stdout: what it printed is what the user sees.
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    if (typeof chunk === 'string' && chunk.startsWith('── console:')) printed += chunk;
    else return write(chunk);
    return true;
  });
  try {
    await daemon.startNotifications();
    await runUntil(daemon, h, T0 + 30 * 60_000);
  } finally {
    spy.mockRestore();
  }
}, 120_000);
afterAll(async () => h.close());

describe('docs/examples/simulator.yaml against the simulator', () => {
  it('polls the simulator and prints firing alerts through its console notifier', () => {
    // Bob's Wi-Fi episode (scenario minute 3): his audio alerts fire 2 simulated minutes in.
    expect(printed).toContain('── console: [FIRING:1] audio-latency-high in "Weekly engineering sync"');
    expect(printed).toMatch(/FIRING \[warning\] Bob Okafor's audio latency is \d+ ms/);
    expect(printed).toContain('── console: [FIRING:1] zoom-cpu-pegged');
  });
});
