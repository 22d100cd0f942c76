import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import type { Config } from '../../src/config/types.js';
import { scenarioFrom, type RawScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { TestServer } from '../helpers/http-server.js';
import { webhookTo } from '../helpers/notifiers.js';
import { T0 } from '../helpers/sim.js';

/**
 * A report after a call goes out `reports.delay` after the instance ended, on the daemon's
 * clock, not at the next poll cycle (a minute later at the default interval); and once, also
 * when the daemon restarts between the end and the delay.
 *
 * The clock is a lockstep VirtualClock for three loops (the poller, the notification dispatcher
 * and the report worker): time moves only when all three sleep, to the earliest wake-up, and
 * stands still while any of them works (HTTP to the simulator or to the webhook receiver), so the
 * time a report arrives is the instant it was sent, on a fast machine as on a loaded one. (On
 * the old code no report loop sleeps on the clock: time stops after the first cycle and the test
 * times out.)
 */
const DELAY_MS = 5_000;
const ANN = { user_id: '16778240', name: 'Ann' };
const SCENARIO: RawScenario = {
  meetings: [{ id: 778, uuid: 'standup-1==', topic: 'Stand-up', end: '20m', participants: [ANN] }],
};

interface Arrival {
  at: number;
  id: string;
}

let close: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of close.reverse()) await c();
  close = [];
});

describe('reports after a call honour reports.delay', () => {
  it('go out delay after the end (not at the next cycle), once, across a restart inside the delay', async () => {
    const scenario = scenarioFrom({ start: new Date(T0).toISOString(), ...SCENARIO }, T0);
    const clock = new VirtualClock(T0 + 18 * 60_000, { loops: 3 });
    const sim = new ZoomSimulator(scenario, clock);
    const simUrl = await sim.listen(0, '127.0.0.1');
    close.push(() => sim.close());
    const arrivals: Arrival[] = [];
    const hook = new TestServer((r, res) => {
      const body = JSON.parse(r.body) as { report?: { id: string } };
      if (body.report) arrivals.push({ at: clock.now(), id: body.report.id });
      res.end('{}');
    });
    const hookUrl = await hook.listen();
    close.push(() => hook.close());

    const config: Config = demoConfig(simUrl, mkdtempSync(join(tmpdir(), 'qw-delay-')), 0);
    config.zoom!.dailyShare = 1;
    config.sources = { meetings: true, webinars: false, sessions: false };
    config.notify.notifiers = [webhookTo(`${hookUrl}/hook`)];
    config.notify.route = routeSettings({ receiver: 'hook' });
    config.reports = {
      send: 'all',
      receivers: ['hook'],
      keepMs: 86_400_000,
      delayMs: DELAY_MS,
      source: 'auto',
      giveUpAfterMs: 86_400_000,
    };
    const ended: number[] = [];
    /** One daemon on the state directory until `stopWhen` says so after a cycle. */
    const runDaemon = async (stopWhen: () => boolean): Promise<Daemon> => {
      const daemon = new Daemon(config, {
        clock,
        log: silentLogger(),
        sinks: [{ handle: (e) => e.type === 'ended' && ended.push(e.at) }],
      });
      await daemon.startNotifications();
      const stop = new AbortController();
      await daemon.run(stop.signal, () => {
        if (stopWhen()) stop.abort();
      });
      return daemon;
    };

    // The first daemon sees the meeting end at the 20:00 cycle and stops right after it: the
    // report is due at 20:05 and is not made yet.
    const first = await runDaemon(() => ended.length > 0);
    expect(ended).toEqual([T0 + 20 * 60_000]);
    expect(first.parts.reports!.pending).toBe(1);
    expect(arrivals).toEqual([]);

    // The second one takes the saved job: the report arrives at 20:05, not at the 21:00 cycle.
    const second = await runDaemon(() => clock.now() >= T0 + 23 * 60_000);
    expect(arrivals.map((a) => a.at)).toEqual([T0 + 20 * 60_000 + DELAY_MS]);
    expect(arrivals[0]!.id).toMatch(/^meeting-/);
    expect(second.parts.reports!.stats).toMatchObject({ made: 1, queued: 1, failed: 0 });
    expect(second.parts.reports!.pending).toBe(0);

    // A third one neither makes nor sends it again.
    const third = await runDaemon(() => clock.now() >= T0 + 26 * 60_000);
    expect(third.parts.reports!.stats.made).toBe(0);
    expect(arrivals).toHaveLength(1);
    expect(clock.now()).toBeGreaterThanOrEqual(T0 + 26 * 60_000);
  }, 60_000);
});
