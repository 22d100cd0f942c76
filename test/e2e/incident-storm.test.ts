import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert, AlertChange } from '../../src/evaluate/alert.js';
import { buildDispatcher } from '../../src/notify/build.js';
import { NotifyStore } from '../../src/notify/store.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { TestServer } from '../helpers/http-server.js';
import { startSim, T0 } from '../helpers/sim.js';

/**
 * One cause, one page: a data-center-wide loss (every NY participant at 9% audio loss) across
 * four meetings and 30 participants, against the simulator, through the real dispatcher to a
 * real webhook receiver. Exactly one notification says it fires and one that it resolved;
 * the meeting and participant alerts are explained by it and not sent. Silenced, the incident
 * takes what it explains with it.
 */
const SIZES = [8, 8, 7, 7];
const STORM: RawScenario = {
  meetings: [
    ...SIZES.map((count, i) => ({
      id: 86100000001 + i,
      uuid: `storm-${i}==`,
      topic: `Storm ${i + 1}`,
      crowd: { count, prefix: `m${i}-`, join: '0m', data_centers: ['NY'], muted_share: 0 },
    })),
    {
      id: 86100000009,
      uuid: 'calm==',
      topic: 'Calm in San Jose',
      crowd: { count: 5, prefix: 'sc-', join: '0m', data_centers: ['SC'], muted_share: 0 },
    },
  ],
  episodes: [
    { name: 'NY loss', where: { data_center: 'NY' }, from: '8m', to: '22m', audio: { avg_loss: '9%' } },
  ],
};

interface Run {
  bodies: {
    status: string;
    alerts: { rule: string; status: string; annotations: Record<string, string> }[];
  }[];
  fired: Alert[];
  explainedSeen: Alert[];
}

/**
 * The daemon polls the simulator on a virtual clock; the alert changes it makes, stamped with
 * that clock, then go through the real dispatcher (routing, group_wait, silences, inhibition)
 * to a real webhook on its own virtual clock, ticked every 10 s. (The dispatcher's own loop
 * is not run beside the poller: on a virtual clock each would move time for the other.)
 */
async function storm(silence: boolean): Promise<Run> {
  const h = await startSim(STORM, 0);
  const hook = new TestServer();
  const url = await hook.listen();
  const run: Run = { bodies: [], fired: [], explainedSeen: [] };
  try {
    const { daemon } = daemonFor(h, (c) => {
      c.notify.notifiers = [{ name: 'hook', type: 'webhook', url: `${url}/hook` }];
      c.notify.route = { receiver: 'hook', group_by: ['alertname', 'instance'], group_wait: '30s' };
      c.notify.silences = silence
        ? [{ matchers: { alertname: 'datacenter-loss-incident' }, comment: 'known NY incident' }]
        : [];
    });
    const stamped: { at: number; changes: AlertChange[] }[] = [];
    daemon.onAlerts((changes) => {
      const notified = changes
        .filter((c) => c.state !== 'pending')
        .map((c) => ({ state: c.state, previous: c.previous, alert: c.alert }));
      stamped.push({ at: h.clock.now(), changes: notified });
      for (const c of notified) if (c.state === 'firing') run.fired.push(c.alert);
      // What /api/v1/alerts shows mid-incident (scenario minute 15).
      if (!run.explainedSeen.length && h.clock.now() >= T0 + 15 * 60_000)
        run.explainedSeen = daemon.engine.active().filter((a) => a.explainedBy);
    });
    await runUntil(daemon, h, T0 + 40 * 60_000);

    const clock = new VirtualClock(T0);
    const dispatcher = (await buildDispatcher(daemon.config, {
      clock,
      log: silentLogger(),
      store: new NotifyStore(mkdtempSync(join(tmpdir(), 'qw-storm-'))),
    }))!;
    let next = 0;
    for (let t = T0; t <= T0 + 45 * 60_000; t += 10_000) {
      clock.advanceTo(t);
      while (next < stamped.length && stamped[next]!.at <= t) dispatcher.ingest(stamped[next++]!.changes);
      await dispatcher.tick();
    }
    await dispatcher.close();
    run.bodies = hook.received
      .filter((r) => r.path === '/hook')
      .map((r) => JSON.parse(r.body) as Run['bodies'][number]);
  } finally {
    await hook.close();
    await h.close();
  }
  return run;
}

let loud: Run;
let quiet: Run;
beforeAll(async () => {
  loud = await storm(false);
  quiet = await storm(true);
}, 240_000);

describe('a data-center incident across four meetings and 30 participants', () => {
  it('is exactly one page and its resolve', () => {
    expect(loud.bodies.map((b) => [b.status, b.alerts.map((a) => `${a.rule}:${a.status}`)])).toEqual([
      ['firing', ['datacenter-loss-incident:firing']],
      ['resolved', ['datacenter-loss-incident:resolved']],
    ]);
    const [page, resolve] = loud.bodies;
    expect(page!.alerts[0]!.annotations.summary).toMatch(
      /^Data center NY: audio loss above 5\.0% for all 30 participants in 4 meetings for \d+ min$/,
    );
    expect(resolve!.alerts[0]!.annotations.summary).toMatch(
      /^Data center NY: audio loss back under 5\.0% for (all 30|\d+ of 30) participants \(was above for \d+ min\)$/,
    );
  });

  it('fires the meeting and participant alerts explained by it, held back', () => {
    const meetings = loud.fired.filter((a) => a.rule === 'meeting-audio-degraded');
    expect(new Set(meetings.map((a) => a.labels.instance)).size).toBe(4);
    const participants = loud.fired.filter((a) => a.scope === 'participant');
    expect(new Set(participants.map((a) => a.id)).size).toBeGreaterThanOrEqual(30);
    for (const a of [...meetings, ...participants])
      expect(a.inhibitedBy, a.id).toBe('datacenter-loss-incident|NY');
  });

  it('shows them in /api/v1/alerts as explained, with the reason', () => {
    const meeting = loud.explainedSeen.find((a) => a.rule === 'meeting-audio-degraded');
    expect(meeting?.explanation).toMatch(
      /^explained by datacenter-loss-incident\|NY: all \d+ breaching participants are in data_center NY$/,
    );
    expect(loud.explainedSeen.filter((a) => a.scope === 'participant').length).toBe(30);
  });

  it('silenced, the incident sends nothing, and neither does anything it explains', () => {
    expect(quiet.fired.some((a) => a.rule === 'datacenter-loss-incident')).toBe(true);
    expect(quiet.fired.filter((a) => a.rule === 'meeting-audio-degraded').length).toBeGreaterThanOrEqual(4);
    expect(quiet.bodies).toEqual([]);
  });
});
