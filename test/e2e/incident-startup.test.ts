import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfig } from '../../src/cli/demo-config.js';
import { Daemon } from '../../src/app/daemon.js';
import type { Alert } from '../../src/evaluate/alert.js';
import { scenarioFrom, type RawScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { TestServer } from '../helpers/http-server.js';
import { T0 } from '../helpers/sim.js';
import { routeSettings } from '../../src/config/notify-settings.js';
import { webhookTo } from '../helpers/notifiers.js';

/**
 * Start-up with a data-center loss already under way: qoswatch starts at scenario minute 12,
 * ten minutes into a loss of every NY participant (9% audio loss) in three meetings. No meeting
 * alone has the five NY participants the incident needs (two each), so the incident fires only
 * from the readings of all three together: the first cycle's backlog must reach the rules as
 * one whole, as in steady state. Every alert pages on its own at once (group_by ['...'],
 * group_wait 0s), so a participant or meeting alert judged before the incident would show.
 */
const MEETINGS = 3;
const START_AT = 12;
const LOSS_FROM = 2;
const LOSS_TO = 24;
const INCIDENT = 'datacenter-loss-incident|NY';

const STARTUP: RawScenario = {
  qos_window: '30m',
  meetings: Array.from({ length: MEETINGS }, (_, i) => ({
    id: 86400000001 + i,
    uuid: `startup-${i}==`,
    topic: `Start-up ${i + 1}`,
    start: '0m',
    end: '3h',
    participants: [
      ...['NY', 'NY', 'SC', 'SC'].map((dc, j) => ({
        key: `m${i}p${j}`,
        user_id: String(5000 + 10 * i + j),
        name: `${dc} person ${i}.${j}`,
        data_center: dc,
      })),
    ],
  })),
  episodes: [
    {
      name: 'NY loss',
      where: { data_center: 'NY' },
      from: `${LOSS_FROM}m`,
      to: `${LOSS_TO}m`,
      audio: { avg_loss: '9%' },
    },
  ],
};

interface Run {
  pages: { status: string; alerts: string[] }[];
  fired: Alert[];
}

async function startUp(): Promise<Run> {
  const scenario = scenarioFrom({ start: new Date(T0).toISOString(), ...STARTUP }, T0);
  const clock = new VirtualClock(T0 + START_AT * 60_000, { loops: 2 });
  const sim = new ZoomSimulator(scenario, clock);
  const simUrl = await sim.listen(0, '127.0.0.1');
  const hook = new TestServer();
  const hookUrl = await hook.listen();
  const run: Run = { pages: [], fired: [] };
  try {
    const config = demoConfig(simUrl, mkdtempSync(join(tmpdir(), 'qw-startup-')), 0);
    config.zoom!.dailyShare = 1;
    config.sources = { meetings: true, webinars: false, sessions: false };
    config.notify.notifiers = [webhookTo(`${hookUrl}/hook`)];
    config.notify.route = routeSettings({
      receiver: 'hook',
      group_by: ['...'],
      group_wait: '0s',
      group_interval: '1s',
      repeat_interval: '24h',
    });
    config.notify.inhibitRules = [];
    const daemon = new Daemon(config, { clock, log: silentLogger() });
    await daemon.startNotifications();
    await daemon.listen();
    daemon.onAlerts((changes) => {
      for (const c of changes) if (c.state === 'firing' && c.previous !== 'firing') run.fired.push(c.alert);
    });
    const stop = new AbortController();
    await daemon.run(stop.signal, () => {
      if (clock.now() >= T0 + (LOSS_TO + 10) * 60_000) stop.abort();
    });
    run.pages = hook.received
      .filter((r) => r.path === '/hook')
      .map((r) => JSON.parse(r.body) as { status: string; alerts: { id: string; status: string }[] })
      .map((b) => ({ status: b.status, alerts: b.alerts.map((a) => `${a.id}:${a.status}`) }));
  } finally {
    await hook.close();
    await sim.close();
  }
  return run;
}

let run: Run;
beforeAll(async () => {
  run = await startUp();
}, 120_000);

describe('starting while a data-center incident is under way', () => {
  it('pages the incident once (and its resolve), and nothing it explains', () => {
    expect(run.pages).toEqual([
      { status: 'firing', alerts: [`${INCIDENT}:firing`] },
      { status: 'resolved', alerts: [`${INCIDENT}:resolved`] },
    ]);
  });

  it('fires the meeting and participant alerts explained by it from the first cycle on', () => {
    const meetings = run.fired.filter((a) => a.rule === 'meeting-audio-degraded');
    const participants = run.fired.filter((a) => a.scope === 'participant');
    expect(new Set(meetings.map((a) => a.labels.instance)).size).toBe(MEETINGS);
    expect(new Set(participants.map((a) => a.id)).size).toBe(2 * MEETINGS);
    for (const a of [...meetings, ...participants]) {
      expect(a.explainedBy, a.id).toBe(INCIDENT);
      expect(a.inhibitedBy, a.id).toBe(INCIDENT);
    }
  });
});
