import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QssPusher } from '../../src/simulator/qss-pusher.js';
import { pushedMeeting, pushingDaemon, pushThenPoll } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Zoom pushes a participant_left at once, while its dashboard's QoS answers show the leave
 * (`leave_time`) only minutes later: the simulator's `leave_lag: 4m` lists the join as present,
 * with its samples up to the leave, until 4 minutes after it. The pushed leave is believed: a
 * lagging poll that shows the join with nothing newer than the leave does not bring it back.
 * Zoom pushes every participant each minute, and polling rechecks the meeting every minute.
 */
const SECRET = 'e2e-lagging-leave';
const MIN = 60_000;
const END = 16;
const UUID = 'lagging/leave==';
const LEAVE = 6;

let h: SimHarness;
let daemon: Daemon;
let events: PipelineEvent[];
const changes: AlertChange[] = [];
/** When (the virtual clock) each change came out. */
const emittedAt = new Map<AlertChange, number>();

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-leave-lag',
      qos_window: '10m',
      leave_lag: '4m',
      meetings: [
        pushedMeeting(
          83100000002,
          UUID,
          'Lagging leaves',
          // A guest and a signed-in person leave for good at minute 6; Bob stays.
          { key: 'gus', id: '', user_id: '500', name: 'Gus', leave: `${LEAVE}m` },
          { key: 'ann', id: 'u-ann', user_id: '200', name: 'Ann', leave: `${LEAVE}m` },
          { key: 'bob', id: 'u-bob', user_id: '300', name: 'Bob' },
        ),
      ],
      episodes: [
        { where: { participant: 'gus' }, from: '1m', to: '30m', any: { latency: '450ms' } },
        { where: { participant: 'ann' }, from: '1m', to: '30m', any: { latency: '450ms' } },
      ],
    },
    0,
  );
  let pusher: QssPusher;
  ({ daemon, events, pusher } = await pushingDaemon(h, SECRET, 3 * MIN, {}, (c) => {
    c.webhooks!.recheckEveryMs = MIN;
  }));
  daemon.onAlerts((c) => {
    changes.push(...c);
    for (const x of c) emittedAt.set(x, h.clock.now());
  });
  await pushThenPoll(h, daemon, pusher, { end: END, stopPushAt: END });
}, 120_000);
afterAll(async () => {
  await daemon.close();
  await h.close();
});

const of = (join: string): AlertChange[] => changes.filter((c) => c.alert.labels.participant === join);
const firings = (join: string): AlertChange[] =>
  of(join).filter((c) => c.state === 'firing' && c.previous !== 'firing');

const polls = (): Extract<PipelineEvent, { type: 'polled' }>[] =>
  events.flatMap((e) => (e.type === 'polled' && e.instance.uuid === UUID ? [e] : []));

describe('a pushed leave and a poll that lags behind it', () => {
  it('polled the meeting while its answer still listed the leavers as present', () => {
    const lagging = polls().filter((e) => e.at > T0 + LEAVE * MIN && e.at < T0 + (LEAVE + 4) * MIN);
    expect(lagging.length).toBeGreaterThan(0);
    // The test's premise: the simulator listed them with no leave_time in that time.
    const inst = h.sim.scenario.instances.find((i) => i.uuid === UUID)!;
    const gus = inst.participants.find((p) => p.key === 'gus')!;
    expect(
      h.sim.world.leaveTime(inst, gus, T0 + (LEAVE + 3) * MIN - h.sim.scenario.leaveLagMs),
    ).toBeUndefined();
  });

  it("resolves the guest's alert once, as left at the pushed leave, and never fires it again", () => {
    expect(firings('500')).toHaveLength(1);
    const resolved = of('500').filter((c) => c.state === 'resolved');
    expect(resolved.map((c) => [c.alert.reason, c.alert.resolvedAt])).toEqual([['left', T0 + LEAVE * MIN]]);
    const left = events.filter((e) => e.type === 'left' && e.participant === '500');
    expect(left).toHaveLength(1);
  });

  it('takes neither as present again, though the answer lists them: Ann is held only for the rejoin grace', () => {
    const after = polls().filter((e) => e.at >= T0 + LEAVE * MIN);
    expect(after.map((e) => [(e.at - T0) / MIN, e.present])).toEqual(
      Array.from({ length: END - LEAVE + 1 }, (_, i) => [
        LEAVE + i,
        LEAVE + i < LEAVE + 3 ? ['200', '300'] : ['300'],
      ]),
    );
  });

  it("holds the signed-in person's leave for the rejoin grace from the push, not from the poll that shows it", () => {
    expect(firings('200')).toHaveLength(1);
    const resolved = of('200').filter((c) => c.state === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.alert.reason).toBe('left');
    // Held for the 3-minute grace from the pushed leave: resolved at minute 9, not at minute 10
    // when a poll first shows the leave.
    expect(emittedAt.get(resolved[0]!)).toBe(T0 + (LEAVE + 3) * MIN);
  });
});
