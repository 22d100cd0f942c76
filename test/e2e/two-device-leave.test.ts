import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { daemonFor, holdClockInCycles, runUntil } from '../helpers/daemon.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * hT42b's F6 (stop 42, unconfirmed): one person on two joins (same account id, two user_ids)
 * and a guest, whose `leave_time` is after every sample: after 2 polls the guest had resolved
 * and the person's 2 alerts were still firing. That is the rejoin grace (poll/joins.ts,
 * REJOIN_GRACE_MS, docs/zoom-client.md "Identity"): a signed-in person's leave is held 3
 * minutes for a rejoin, then their alerts resolve as `left`, dated at the leave; a guest's at
 * once. Zoom's placeholder leave_time while present, as in the tester's zoomnet answers.
 */
const MIN = 60_000;
const LEAVE = 6.5 * MIN; // inside minute 7: the last sample is 06:00, the leave after it

let h: SimHarness;
const changes: AlertChange[] = [];
/** When (the virtual clock) each change came out. */
const emittedAt = new Map<AlertChange, number>();
let events: PipelineEvent[];

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'two-device-leave',
      present_leave_time: 'join_time',
      meetings: [
        {
          id: 86500000043,
          uuid: 'two/devices==',
          topic: 'Share Now',
          end: '2h',
          participants: [
            { key: 'jchill', id: 'u-jchill', user_id: '20161536', name: 'jchill', leave: '390s' },
            { key: 'jchill-2', id: 'u-jchill', user_id: '20161537', name: 'jchill', leave: '390s' },
            { key: 'guest', user_id: '20161538', name: '', leave: '390s' },
            { key: 'bob', id: 'u-bob', user_id: '20161539', name: 'Bob' },
          ],
        },
      ],
      episodes: [{ where: { instance: 'two/devices==' }, from: '0m', to: '2h', audio: { latency: '471ms' } }],
    },
    0,
  );
  const made = daemonFor(h);
  events = made.events;
  const daemon = holdClockInCycles(made.daemon, h);
  daemon.onAlerts((c) => {
    changes.push(...c);
    for (const x of c) emittedAt.set(x, h.clock.now());
  });
  await runUntil(daemon, h, T0 + 14 * MIN);
  await daemon.close();
}, 120_000);
afterAll(async () => h?.close());

const resolves = (join: string): AlertChange[] =>
  changes.filter((c) => c.alert.labels.participant === join && c.state === 'resolved');

describe('a person on two devices and a guest leave after their last sample (hT42b F6)', () => {
  it('the guest resolves as left at the first poll after the leave, dated at the leave', () => {
    const [r, ...more] = resolves('20161538');
    expect(more).toEqual([]);
    expect(r!.alert.reason).toBe('left');
    expect(r!.alert.resolvedAt).toBe(T0 + LEAVE);
    expect(emittedAt.get(r!)!).toBeLessThan(T0 + LEAVE + 2 * MIN);
  });

  it("the person's two alerts keep firing through the rejoin grace, then resolve as left at the leave", () => {
    const polls = events.filter((e) => e.type === 'polled').map((e) => e.at);
    // Polls within the grace that did not resolve them (the tester saw 2).
    expect(polls.filter((t) => t > T0 + LEAVE && t < T0 + LEAVE + 3 * MIN).length).toBeGreaterThanOrEqual(2);
    for (const join of ['20161536', '20161537']) {
      const [r, ...more] = resolves(join);
      expect(more, join).toEqual([]);
      expect(r!.alert.reason).toBe('left');
      expect(r!.alert.resolvedAt).toBe(T0 + LEAVE);
      expect(emittedAt.get(r!)!).toBeGreaterThanOrEqual(T0 + LEAVE + 3 * MIN);
      expect(emittedAt.get(r!)!).toBeLessThan(T0 + LEAVE + 5 * MIN);
    }
    expect(resolves('20161539')).toEqual([]);
  });
});
