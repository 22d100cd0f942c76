import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { startDaemonOverSim, type DaemonOverSim } from '../helpers/daemon-over-sim.js';
import { runUntil } from '../helpers/daemon.js';
import { T0 } from '../helpers/sim.js';

/**
 * Bad audio for minutes, then gone, all before qoswatch first looks (outside tester hT41, stop
 * 41, MEDIUM): Bob's audio latency is 450 ms from minute 0 to 5 and he leaves at minute 5; the
 * daemon starts at minute 8, so its first poll sees the whole breach and the leave at once. The
 * rule engine fires audio-latency-high and resolves it (left) in that one cycle. On the old code
 * the group's resolve replaced its firing before the group's first message and nothing went
 * out: no webhook call at all. Now the receiver gets one notification that says both.
 */
const SCENARIO: RawScenario = {
  qos_window: '30m',
  meetings: [
    {
      id: 86500000041,
      topic: 'Weekly sync',
      end: '60m',
      participants: [
        { key: 'bob', user_id: '7041', name: 'Bob Okafor', data_center: 'SC', leave: '5m' },
        { key: 'alice', user_id: '7042', name: 'Alice Ng', data_center: 'SC' },
      ],
    },
  ],
  episodes: [{ where: { participant: 'bob' }, from: '0m', to: '5m', audio: { latency: '450ms' } }],
};

const MIN = 60_000;

interface SentAlert {
  id: string;
  rule: string;
  status: string;
  reason: string | null;
  value_text: string;
  starts_at: string;
  firing_since: string | null;
  ends_at: string | null;
  fired_and_resolved?: boolean;
  annotations: Record<string, string>;
}
interface Page {
  id: string;
  status: string;
  alerts: SentAlert[];
}

let h: DaemonOverSim;
let changes: AlertChange[];
beforeAll(async () => {
  h = await startDaemonOverSim(SCENARIO, {
    at: 8 * MIN,
    route: { receiver: 'hook', group_by: ['alertname', 'instance'], group_wait: '30s', group_interval: '5m' },
  });
  const daemon = await h.daemon();
  changes = [];
  daemon.onAlerts((c) => changes.push(...c));
  await runUntil(daemon, h, T0 + 14 * MIN);
  await daemon.close();
}, 120_000);
afterAll(async () => {
  await h.close();
});

describe('an alert that fired and resolved within one poll, before its group said anything', () => {
  it('the engine fired it and resolved it (left) in the same cycle: the case at hand', () => {
    const bob = changes.filter((c) => c.alert.rule === 'audio-latency-high');
    expect(bob.filter((c) => c.state !== 'pending').map((c) => [c.state, c.alert.reason])).toEqual([
      ['firing', undefined],
      ['resolved', 'left'],
    ]);
  });

  it('reaches the receiver once, as fired and resolved, saying when, how long and how bad (nothing was sent on the old code)', () => {
    const pages = h.pages<Page>();
    const sent = pages.flatMap((p) => p.alerts.map((a) => ({ page: p, a })));
    const latency = sent.filter(({ a }) => a.rule === 'audio-latency-high');
    expect(latency).toHaveLength(1);
    const { page, a } = latency[0]!;
    expect(page.status).toBe('resolved');
    expect(a).toMatchObject({ status: 'resolved', reason: 'left', fired_and_resolved: true });
    // Firing 2 min into the breach (the rule's for), ended when he left (minute 5, his
    // leave_time), not when a poll saw it (minute 8: what ends_at said on the old code).
    expect(Date.parse(a.firing_since!) - Date.parse(a.starts_at)).toBe(2 * MIN);
    expect(a.ends_at).toBe(new Date(T0 + 5 * MIN).toISOString());
    expect(a.annotations.summary).toMatch(
      /^Bob Okafor left "Weekly sync"; audio latency was above 300 ms for 4 min, worst \d+ ms$/,
    );
  });
});
