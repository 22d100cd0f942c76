import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChange } from '../../src/evaluate/alert.js';
import type { Daemon } from '../../src/app/daemon.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { QssPusher } from '../../src/simulator/qss-pusher.js';
import { pushedMeeting, pushingDaemon, pushThenPoll } from '../helpers/push-e2e.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Rejoins and second devices on the push path, then across the handover to polling: the
 * simulator pushes signed QSS events (QoS and participant_left, with redeliveries and
 * out-of-order delivery) until minute STOP_PUSH_AT, then polling takes the meeting back and
 * reads again the minutes already pushed.
 */
const SECRET = 'e2e-joins-secret';
const MIN = 60_000;
const STOP_PUSH_AT = 12;
const END = 30;
const UUID = 'joins/pushed==';

let h: SimHarness;
let daemon: Daemon;
let events: PipelineEvent[];
const changes: AlertChange[] = [];

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'push-joins',
      qos_window: '10m',
      meetings: [
        pushedMeeting(
          83100000001,
          UUID,
          'Rejoins',
          // Ann drops at minute 6 and rejoins at minute 7 (a new user_id).
          { key: 'ann', id: 'u-ann', user_id: '200', name: 'Ann', leave: '6m' },
          { key: 'ann-again', id: 'u-ann', user_id: '201', name: 'Ann', join: '7m' },
          // Erik stays on his laptop and joins from his phone too at minute 4.
          { key: 'erik-laptop', id: 'u-erik', user_id: '400', name: 'Erik', device: 'Mac' },
          { key: 'erik-phone', id: 'u-erik', user_id: '401', name: 'Erik', device: 'iOS', join: '4m' },
          // A guest who leaves for good at minute 5.
          { key: 'gus', id: '', user_id: '500', name: 'Gus', leave: '5m' },
        ),
      ],
      episodes: [
        // By account id: Ann's latency is bad on both of her joins, from minute 3 to minute 20.
        { where: { participant: 'u-ann' }, from: '3m', to: '20m', any: { latency: '450ms' } },
        { where: { participant: 'erik-phone' }, from: '5m', to: '25m', any: { latency: '450ms' } },
      ],
    },
    0,
  );
  let pusher: QssPusher;
  ({ daemon, events, pusher } = await pushingDaemon(h, SECRET, 3 * MIN, {
    faults: { duplicate: 0.3, outOfOrder: true },
  }));
  daemon.onAlerts((c) => changes.push(...c));
  await pushThenPoll(h, daemon, pusher, { end: END, stopPushAt: STOP_PUSH_AT });
}, 120_000);
afterAll(async () => {
  await daemon.close();
  await h.close();
});

const pushedSamples = () =>
  events.flatMap((e) => (e.type === 'samples' ? e.samples : [])).filter((s) => s.instance.uuid === UUID);

describe('joins on the push path and across the handover to polling', () => {
  it('hands on every minute of every join once, under the key its alerts follow, whichever path brought it', () => {
    const seen = new Map<string, number>();
    for (const s of pushedSamples()) {
      const k = `${s.participant.key}@${s.time}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    expect([...seen.entries()].filter(([, n]) => n > 1)).toEqual([]);
    const inst = h.sim.scenario.instances.find((i) => i.uuid === UUID)!;
    // Ann's rejoin follows the key of her first join.
    const keyOf = (userId: string): string => (userId === '201' ? '200' : userId);
    let expected = 0;
    for (const p of inst.participants)
      for (const t of h.sim.world.sampleTimes(inst, p, T0, T0 + END * MIN)) {
        expected++;
        expect(seen.has(`${keyOf(p.userId)}@${t}`), `${p.key} at ${new Date(t).toISOString()}`).toBe(true);
      }
    expect(seen.size).toBe(expected);
    // Both paths brought samples of the rejoin and of the phone.
    const polledFrom = T0 + (STOP_PUSH_AT + 1) * MIN;
    for (const join of ['201', '401']) {
      const times = pushedSamples()
        .filter((s) => s.participant.join === join)
        .map((s) => s.time);
      expect(times.some((t) => t < polledFrom)).toBe(true);
      expect(times.some((t) => t > polledFrom + 2 * MIN)).toBe(true);
    }
  });

  it("keeps Ann's alert across her rejoin: one firing, no resolution as left in between", () => {
    const ann = changes.filter((c) => c.alert.labels.participant === '200');
    const firings = ann.filter((c) => c.state === 'firing' && c.previous !== 'firing');
    expect(firings.map((c) => c.alert.rule)).toEqual(['audio-latency-high']);
    const resolutions = ann.filter((c) => c.state === 'resolved');
    expect(resolutions).toHaveLength(1);
    expect(resolutions[0]!.alert.resolvedAt ?? 0).toBeGreaterThan(T0 + 20 * MIN);
    expect(changes.filter((c) => c.alert.labels.participant === '201')).toEqual([]);
  });

  it("alerts on Erik's phone alone, labelled with the device, and leaves his laptop alone", () => {
    const phone = changes.filter(
      (c) => c.state === 'firing' && c.previous !== 'firing' && c.alert.labels.participant === '401',
    );
    expect(phone).toHaveLength(1);
    expect(changes.filter((c) => c.alert.labels.participant === '400')).toEqual([]);
    const labels = new Set(
      pushedSamples()
        .filter((s) => s.participant.join === '401' && s.time > T0 + 5 * MIN)
        .map((s) => s.participant.label),
    );
    expect(labels).toEqual(new Set(['Erik (iOS)']));
  });

  it('reports the guest as left once, from the pushed leave, and Ann never', () => {
    const left = events.flatMap((e) =>
      e.type === 'left' && e.instance.uuid === UUID ? [e.participant] : [],
    );
    expect(left.filter((p) => p === '500')).toHaveLength(1);
    expect(left.filter((p) => p === '200' || p === '201')).toEqual([]);
  });
});
