import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfig } from '../../src/cli/demo-config.js';
import type { Config } from '../../src/config/types.js';
import type { Alert } from '../../src/evaluate/alert.js';
import { Daemon } from '../../src/app/daemon.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { silentLogger } from '../../src/util/logger.js';
import type { SimHarness } from './sim.js';

/** A daemon pointed at a test simulator, recording every event it hands on. */
export function daemonFor(
  h: SimHarness,
  tweak: (c: Config) => void = () => undefined,
): { daemon: Daemon; events: PipelineEvent[] } {
  const config = demoConfig(h.url, mkdtempSync(join(tmpdir(), 'qw-state-')), 0);
  config.zoom!.dailyShare = 1;
  config.videosdk!.dailyShare = 1;
  tweak(config);
  const events: PipelineEvent[] = [];
  const daemon = new Daemon(config, {
    clock: h.clock,
    log: silentLogger(),
    sinks: [{ handle: (e) => events.push(e) }],
  });
  return { daemon, events };
}

/**
 * Holds `h`'s clock while each poll cycle of `daemon` runs: the other loops sleeping on the
 * clock (the notification dispatcher's, the report worker's) cannot move time while the
 * cycle waits on the simulator over HTTP, so a cycle takes the same virtual time on a fast
 * machine and on a slow or loaded one. Returns the daemon.
 */
export function holdClockInCycles<D extends Daemon>(daemon: D, h: Pick<SimHarness, 'clock'>): D {
  const scheduler = daemon.parts.scheduler;
  const cycle = scheduler.cycle.bind(scheduler);
  scheduler.cycle = async (...args) => {
    const release = h.clock.hold();
    try {
      return await cycle(...args);
    } finally {
      release();
    }
  };
  return daemon;
}

/** Runs the daemon's loop until the virtual clock reaches `until`. */
export async function runUntil(daemon: Daemon, h: Pick<SimHarness, 'clock'>, until: number): Promise<void> {
  const stop = new AbortController();
  await daemon.run(stop.signal, () => {
    if (h.clock.now() >= until) stop.abort();
  });
}

/** Runs the demo's daemon against `h` until `until` and returns every alert that fired or resolved. */
export async function alertsUntil(
  h: SimHarness,
  until: number,
): Promise<{ fired: Alert[]; resolved: Alert[]; daemon: Daemon }> {
  const fired: Alert[] = [];
  const resolved: Alert[] = [];
  const { daemon } = daemonFor(h);
  daemon.onAlerts((changes) => {
    for (const c of changes) {
      if (c.alert.state === 'firing') fired.push(c.alert);
      if (c.alert.state === 'resolved') resolved.push(c.alert);
    }
  });
  await runUntil(daemon, h, until);
  return { fired, resolved, daemon };
}
