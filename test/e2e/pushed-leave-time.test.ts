import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { QssPusher } from '../../src/simulator/qss-pusher.js';
import { pushedMeeting, pushingDaemon, pushThenPoll } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * A pushed leave resolves at its `leave_time`, as a polled one does (e9dd75d): a guest and a
 * signed-in person leave at 05:30, Zoom's participant_left comes with the 06:00 push round. On
 * the old code the guest's alert resolved at 06:00 (the push's arrival) and the person's at
 * 09:00 (the end of the rejoin grace, when the held leave was reported), not when they left.
 */
const SECRET = 'e2e-pushed-leave-time';
const MIN = 60_000;
const LEFT = T0 + 5.5 * MIN;

let h: SimHarness;
let daemon: Daemon;
const changes: AlertChange[] = [];
const emittedAt = new Map<AlertChange, number>();

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'pushed-leave-time',
      meetings: [
        pushedMeeting(
          83100000003,
          'pushed/leave/time==',
          'Leaves at half past',
          { key: 'gus', id: '', user_id: '500', name: 'Gus', leave: '330s' },
          { key: 'ann', id: 'u-ann', user_id: '200', name: 'Ann', leave: '330s' },
          { key: 'bob', id: 'u-bob', user_id: '300', name: 'Bob' },
        ),
      ],
      episodes: [
        { where: { participant: 'gus' }, from: '0m', to: '30m', any: { latency: '450ms' } },
        { where: { participant: 'ann' }, from: '0m', to: '30m', any: { latency: '450ms' } },
      ],
    },
    0,
  );
  let pusher: QssPusher;
  ({ daemon, pusher } = await pushingDaemon(h, SECRET, 3 * MIN, {}));
  daemon.onAlerts((c) => {
    changes.push(...c);
    for (const x of c) emittedAt.set(x, h.clock.now());
  });
  await pushThenPoll(h, daemon, pusher, { end: 12, stopPushAt: 12 });
}, 120_000);
afterAll(async () => {
  await daemon.close();
  await h.close();
});

const resolved = (join: string): AlertChange[] =>
  changes.filter((c) => c.alert.labels.participant === join && c.state === 'resolved');

describe('a pushed leave is dated at its leave_time', () => {
  it("the guest's alert resolves as left at 05:30, at the 06:00 push", () => {
    const [r, ...more] = resolved('500');
    expect(more).toEqual([]);
    expect([r!.alert.reason, r!.alert.resolvedAt, emittedAt.get(r!)]).toEqual(['left', LEFT, T0 + 6 * MIN]);
  });

  it("the signed-in person's resolves as left at 05:30 too, once the rejoin grace has passed", () => {
    const [r, ...more] = resolved('200');
    expect(more).toEqual([]);
    expect([r!.alert.reason, r!.alert.resolvedAt, emittedAt.get(r!)]).toEqual(['left', LEFT, T0 + 9 * MIN]);
  });
});
