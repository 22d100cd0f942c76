import { beforeAll, describe, expect, it } from 'vitest';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { startDaemonOverSim } from '../helpers/daemon-over-sim.js';
import { runUntil } from '../helpers/daemon.js';
import { T0 } from '../helpers/sim.js';

/**
 * Issue 12 item 5: after a restart, a reminder (repeat_interval) was sent from the saved state
 * before the first poll, so a meeting that ended while qoswatch was down got "still firing" and
 * then, one cycle later, its resolve. The reminder now waits for the first reconciled cycle.
 *
 * One meeting (minutes 0–40), one participant losing 9% of audio throughout. qoswatch runs from
 * minute 5 to 15 (the alert pages), is down until 3 h (the meeting ended at 40 min; the 1 h
 * reminder is long due), and starts again.
 */
const SCENARIO: RawScenario = {
  qos_window: '30m',
  meetings: [
    {
      id: 86500000001,
      uuid: 'remind-1==',
      topic: 'Reminder check',
      start: '0m',
      end: '40m',
      participants: [{ key: 'ann', user_id: '7001', name: 'Ann', data_center: 'SC' }],
    },
  ],
  episodes: [
    { name: 'loss', where: { data_center: 'SC' }, from: '0m', to: '40m', audio: { avg_loss: '9%' } },
  ],
};

interface Page {
  status: string;
  alerts: string[];
}

let before: Page[];
let after: Page[];
beforeAll(async () => {
  const h = await startDaemonOverSim(SCENARIO, {
    at: 5 * 60_000,
    route: {
      receiver: 'hook',
      group_by: ['alertname'],
      group_wait: '0s',
      group_interval: '1m',
      repeat_interval: '1h',
    },
  });
  const pages = (): Page[] =>
    h
      .pages<{ status: string; alerts: { rule: string; status: string; reason: string | null }[] }>()
      .map((b) => ({
        status: b.status,
        alerts: b.alerts.map((a) => `${a.rule}:${a.status}${a.reason ? `:${a.reason}` : ''}`),
      }));
  try {
    await runUntil(await h.daemon(), h, T0 + 15 * 60_000);
    before = pages();
    h.hook.received.length = 0;
    h.clock.advanceTo(T0 + 3 * 3_600_000);
    await runUntil(await h.daemon(), h, T0 + 3 * 3_600_000 + 5 * 60_000);
    after = pages();
  } finally {
    await h.close();
  }
}, 120_000);

describe('a restart long after the last notification', () => {
  it('paged the participant before the stop', () => {
    expect(before.flatMap((p) => p.alerts)).toContain('audio-loss-high:firing');
  });

  it('sends no reminder from the saved state: the meeting ended while qoswatch was down, so only resolves', () => {
    expect(after.length).toBeGreaterThan(0);
    for (const p of after) {
      expect(p.status).toBe('resolved');
      for (const a of p.alerts) expect(a).toMatch(/:resolved:ended$/);
    }
  });
});
