import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { CycleReport } from '../../src/poll/scheduler.js';
import { pushedMeeting, pushingDaemon, pushThenPoll, wiredParticipant } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * QSS that covers some participants of a meeting only (outside tester, stop 27, LOW #7). Before,
 * one push for Ann put the whole meeting on the push path: polling skipped its QoS list, so Bob,
 * whom Zoom does not push, went unwatched while Ann's pushes came (coverage 87% in the tester's
 * run). Now a meeting is on the push path only while every participant of its last poll was
 * pushed within `takeover_after`; a meeting QSS covers whole still saves its polls.
 */
const SECRET = 'partial-qss-secret';
const MIN = 60_000;
const END = 14;

let h: SimHarness;
let daemon: Daemon;
const changes: AlertChange[] = [];
/** Minutes at which the simulator served each meeting's QoS list to a poll. */
const served = new Map<string, number[]>();
const reports: CycleReport[] = [];

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-partial',
      qos_window: '10m',
      meetings: [
        pushedMeeting(83000000021, 'partial==', 'Partial', wiredParticipant('ann', '210'), {
          ...wiredParticipant('bob', '211'),
        }),
        pushedMeeting(
          83000000022,
          'whole==',
          'Whole',
          wiredParticipant('cy', '220'),
          wiredParticipant('dee', '221'),
        ),
      ],
      episodes: [{ where: { participant: 'bob' }, from: '4m', to: '30m', any: { latency: '450ms' } }],
    },
    0,
  );
  h.sim.onServe = ({ instance, at }) => {
    const list = served.get(instance.uuid) ?? [];
    list.push(Math.round((at - T0) / MIN));
    served.set(instance.uuid, list);
  };
  let pusher;
  ({ daemon, pusher } = await pushingDaemon(h, SECRET, 3 * MIN, {
    // Zoom pushes Ann, Cy and Dee; not Bob.
    onlyParticipants: (_inst, p) => p.key !== 'bob',
  }));
  daemon.onAlerts((c) => changes.push(...c));
  await pushThenPoll(h, daemon, pusher, { end: END, stopPushAt: END, onCycle: (r) => reports.push(r) });
}, 120_000);
afterAll(async () => {
  await daemon.close();
  await h.close();
});

describe('QSS pushing some participants of a meeting only', () => {
  it('keeps polling the meeting with a participant Zoom does not push, every cycle', () => {
    expect(new Set(served.get('partial=='))).toEqual(new Set(Array.from({ length: END + 1 }, (_, m) => m)));
  });

  it('watches that participant: his alert fires from polls, and coverage stays whole', () => {
    const bob = changes.filter((c) => c.state === 'firing' && c.alert.labels.participant === '211');
    expect(bob.map((c) => c.alert.rule)).toContain('audio-latency-high');
    expect(reports.slice(1).map((r) => r.coverage.ratio)).toEqual(reports.slice(1).map(() => 1));
  });

  it('still leaves a meeting QSS covers whole to the pushes after one poll says who is there', async () => {
    expect(served.get('whole==')).toEqual([0]);
    expect(reports.slice(1).every((r) => r.pushed === 1 && r.callsSaved >= 1)).toBe(true);
    const metrics = await (await fetch(`${daemon.url!}/metrics`)).text();
    expect(metrics).toMatch(/^qoswatch_instance_qos_path\{[^}]*instance_uuid="whole==",path="push"\} 1$/m);
    expect(metrics).toMatch(/^qoswatch_instance_qos_path\{[^}]*instance_uuid="partial==",path="poll"\} 1$/m);
    expect(metrics).toMatch(/^qoswatch_poll_takeovers_total 0$/m);
  });
});
