import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { CycleReport } from '../../src/poll/scheduler.js';
import { pushedMeeting, pushedRun, wiredParticipant } from '../helpers/push-e2e.js';
import { startSim, type SimHarness } from '../helpers/sim.js';

/**
 * QSS that covers some participants of a meeting only (outside tester, stop 27, LOW #7). Before,
 * one push for Ann put the whole meeting on the push path: polling skipped its QoS list, so Bob,
 * whom Zoom does not push, went unwatched while Ann's pushes came (coverage 87% in the tester's
 * run). Now a meeting is on the push path only while every participant of its last poll was
 * pushed within `takeover_after`; a meeting QSS covers whole still saves its polls.
 */
const SECRET = 'partial-qss-secret';
const END = 14;

let h: SimHarness;
let daemon: Daemon;
let changes: AlertChange[];
/** Minutes at which the simulator served each meeting's QoS list to a poll. */
let served: Map<string, number[]>;
let reports: CycleReport[];

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
  // Zoom pushes Ann, Cy and Dee; not Bob.
  ({ daemon, changes, reports, served } = await pushedRun(h, SECRET, (_inst, p) => p.key !== 'bob', END));
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
    // Polled at minute 0 (who is there), then once at webhooks.recheck_every (10m) for joiners.
    expect(served.get('whole==')).toEqual([0, 10]);
    const covered = reports.map((r, m) => m > 0 && m !== 10 && r.pushed === 1 && r.callsSaved >= 1);
    expect(covered.filter(Boolean)).toHaveLength(END - 1);
    const metrics = await (await fetch(`${daemon.url!}/metrics`)).text();
    expect(metrics).toMatch(/^qoswatch_instance_qos_path\{[^}]*instance_uuid="whole==",path="push"\} 1$/m);
    expect(metrics).toMatch(/^qoswatch_instance_qos_path\{[^}]*instance_uuid="partial==",path="poll"\} 1$/m);
    expect(metrics).toMatch(/^qoswatch_poll_takeovers_total 0$/m);
  });
});
