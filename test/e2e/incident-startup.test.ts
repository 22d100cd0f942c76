import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { startDaemonOverSim } from '../helpers/daemon-over-sim.js';
import { runUntil } from '../helpers/daemon.js';
import { T0 } from '../helpers/sim.js';

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
  const h = await startDaemonOverSim(STARTUP, {
    at: START_AT * 60_000,
    route: {
      receiver: 'hook',
      group_by: ['...'],
      group_wait: '0s',
      group_interval: '1s',
      repeat_interval: '24h',
    },
  });
  const run: Run = { pages: [], fired: [] };
  try {
    const daemon = await h.daemon();
    await daemon.listen();
    daemon.onAlerts((changes) => {
      for (const c of changes) if (c.state === 'firing' && c.previous !== 'firing') run.fired.push(c.alert);
    });
    await runUntil(daemon, h, T0 + (LOSS_TO + 10) * 60_000);
    run.pages = h
      .pages<{ status: string; alerts: { id: string; status: string }[] }>()
      .map((b) => ({ status: b.status, alerts: b.alerts.map((a) => `${a.id}:${a.status}`) }));
  } finally {
    await h.close();
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
