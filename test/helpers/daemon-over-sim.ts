import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import type { RawRoute } from '../../src/config/raw.js';
import type { Config } from '../../src/config/types.js';
import { scenarioFrom, type RawScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { TestServer } from './http-server.js';
import { webhookTo } from './notifiers.js';
import { T0 } from './sim.js';

/** A simulator, a webhook receiver and the config of a daemon that polls the one and pages the other. */
export interface DaemonOverSim {
  clock: VirtualClock;
  sim: ZoomSimulator;
  /** The receiver: the `hook` notifier posts to its /hook. */
  hook: TestServer;
  /** The daemon's config, to change before `daemon()` builds one on it. */
  config: Config;
  /** A daemon on `config` and `clock`, its notifications started (as `qoswatch run` starts it). */
  daemon: () => Promise<Daemon>;
  /** The JSON bodies the receiver got at /hook, in order. */
  pages: <T>() => T[];
  close: () => Promise<void>;
}

/**
 * The daemon as `qoswatch run` runs it, over a real simulator and paging a real webhook
 * receiver: the scenario served on a lockstep VirtualClock (`loops: 2`, the poll loop and the
 * notify loop: time moves only when both sleep) from `at` ms into it, and the demo's config
 * polling its meetings with the day's whole budget, sending every alert to the one `hook`
 * notifier through `route`, with no inhibit rules.
 */
export async function startDaemonOverSim(
  raw: RawScenario,
  { at, route }: { at: number; route: RawRoute },
): Promise<DaemonOverSim> {
  const scenario = scenarioFrom({ start: new Date(T0).toISOString(), ...raw }, T0);
  const clock = new VirtualClock(T0 + at, { loops: 2 });
  const sim = new ZoomSimulator(scenario, clock);
  const simUrl = await sim.listen(0, '127.0.0.1');
  const hook = new TestServer();
  const hookUrl = await hook.listen();
  const config = demoConfig(simUrl, mkdtempSync(join(tmpdir(), 'qw-over-sim-')), 0);
  config.zoom!.dailyShare = 1;
  config.sources = { meetings: true, webinars: false, sessions: false };
  config.notify.notifiers = [webhookTo(`${hookUrl}/hook`)];
  config.notify.route = routeSettings(route);
  config.notify.inhibitRules = [];
  return {
    clock,
    sim,
    hook,
    config,
    daemon: async () => {
      const daemon = new Daemon(config, { clock, log: silentLogger() });
      await daemon.startNotifications();
      return daemon;
    },
    pages: <T>() => hook.received.filter((r) => r.path === '/hook').map((r) => JSON.parse(r.body) as T),
    close: async () => {
      await hook.close();
      await sim.close();
    },
  };
}
