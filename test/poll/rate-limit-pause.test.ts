import { afterEach, describe, expect, it } from 'vitest';
import { meetingScheduler } from '../helpers/scheduler.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => {
  await h.close();
});

/** Every QoS call of the meeting answered 429, `Retry-After: 300`, X-RateLimit-Type QPS (Heavy). */
const qos429 = { kind: '429' as const, path: 'participants/qos', delay: '300s' };

describe('a per-second 429 on one QoS call (Retry-After: 300) pauses Heavy calls only', () => {
  it('ends the cycle at once; discovery goes on, ends the meeting that ended; the poll waits for the pause', async () => {
    // Scenario minute 5; the meeting ends at minute 8, before the 5-minute pause does.
    h = await startSim({ meetings: [meetingWith(3, { end: '8m' })], faults: [qos429] });
    const { scheduler, events } = meetingScheduler(h.url, h.clock);
    const signal = new AbortController().signal;
    const t0 = h.clock.now();

    const first = await scheduler.cycle(signal);
    // The old client waited 6 x 300 s inside this cycle: it ended 30 minutes later.
    expect(h.clock.now() - t0).toBeLessThan(60_000);
    expect(h.sim.requests.get('qos 429')).toBe(1);
    expect(first).toMatchObject({ polled: 1, errors: 1 });

    // A minute on: discovery (Resource-intensive) lists again; the QoS poll is deferred, unsent.
    h.clock.advanceTo(t0 + 60_000);
    const second = await scheduler.cycle(signal);
    expect(h.sim.requests.get('list 200')).toBe(2);
    expect(second).toMatchObject({ live: 1, polled: 0, deferred: 1, errors: 0 });
    expect(h.sim.requests.get('qos 429')).toBe(1);

    // Minute 9: the meeting has ended; the list no longer shows it, and it ends, pause or not.
    h.clock.advanceTo(t0 + 4 * 60_000);
    const third = await scheduler.cycle(signal);
    expect(third.live).toBe(0);
    expect(events.filter((e) => e.type === 'ended')).toHaveLength(1);
    expect(h.sim.requests.get('qos 429')).toBe(1);
  });

  it('polls again once the pause is over, and is never refused meanwhile', async () => {
    h = await startSim({ meetings: [meetingWith(3)], faults: [{ ...qos429, times: 1 }] });
    const { scheduler } = meetingScheduler(h.url, h.clock);
    const signal = new AbortController().signal;
    const t0 = h.clock.now();
    await scheduler.cycle(signal);
    for (let m = 1; m <= 4; m++) {
      h.clock.advanceTo(t0 + m * 60_000);
      expect(await scheduler.cycle(signal)).toMatchObject({ polled: 0, deferred: 1 });
    }
    h.clock.advanceTo(t0 + 300_000);
    const after = await scheduler.cycle(signal);
    expect(after).toMatchObject({ polled: 1, deferred: 0, errors: 0, participants: 3 });
    expect(h.sim.requests.get('qos 429')).toBe(1);
    expect(h.sim.requests.get('qos 200')).toBe(1);
  });
});

describe('a QoS 429 naming Resource-intensive (review stop 40, LOW)', () => {
  it('defers every later poll while that pause lasts: no QoS call costs another 429', async () => {
    // Every QoS call refused under Resource-intensive for 300 s: Zoom counts QoS calls there.
    const fault = { ...qos429, rate_limit_category: 'Resource-intensive' };
    h = await startSim({
      meetings: [meetingWith(3), meetingWith(2, { id: 85000000002, uuid: 'mtg-uuid-2==', topic: 'Second' })],
      faults: [fault],
    });
    const { scheduler } = meetingScheduler(h.url, h.clock, { poll: { concurrency: 1 } });
    const signal = new AbortController().signal;
    const t0 = h.clock.now();

    // The first poll's 429 pauses the category; the second poll waits for it, unsent.
    const first = await scheduler.cycle(signal);
    expect(first).toMatchObject({ live: 2, polled: 1, deferred: 1, errors: 1 });
    // Before, the scheduler asked only whether Heavy was paused: each poll cost one more 429.
    expect(h.sim.requests.get('qos 429')).toBe(1);

    h.clock.advanceTo(t0 + 60_000);
    expect(await scheduler.cycle(signal)).toMatchObject({ polled: 0, deferred: 2, errors: 0 });
    expect(h.sim.requests.get('qos 429')).toBe(1);

    // Once the pause is over, the polls go.
    h.sim.faults.clear();
    h.clock.advanceTo(t0 + 300_000);
    expect(await scheduler.cycle(signal)).toMatchObject({
      polled: 2,
      deferred: 0,
      errors: 0,
      participants: 5,
    });
  });
});
