import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import type { Scheduler } from '../../src/poll/scheduler.js';
import { VirtualClock } from '../../src/util/clock.js';
import type { TestServer } from '../helpers/http-server.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingScheduler } from '../helpers/scheduler.js';
import { startSim, type SimHarness } from '../helpers/sim.js';
import { zoomTime } from '../../src/util/zoom-time.js';

/**
 * Issue 15: a polled sample dated a day ahead became its join's newest minute, and every real
 * minute after it was skipped by polling (`seenUpTo`) and never judged. It is refused, judged
 * against Zoom's own clock (the answer's `Date`), not the daemon's: here the daemon's clock is two
 * hours behind the simulator's, as with `qoswatch simulate --speed`, and the real minutes are new.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let h: SimHarness;
let proxy: TestServer;
let scheduler: Scheduler;
let daemonClock: VirtualClock;
const stats = new NormalizeStats();
let events: PipelineEvent[];
/** Whether the proxy moves the newest date_time of the QoS answer a day ahead. */
let forge = false;
let forged: string | undefined;

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'future-poll',
      qos_window: '10m',
      meetings: [
        {
          id: 85100000001,
          uuid: 'future/poll==',
          topic: 'Future',
          start: '0m',
          end: '2h',
          participants: [{ key: 'ann', id: 'u-ann', user_id: '200', name: 'Ann' }],
        },
      ],
    },
    10 * MIN,
  );
  proxy = await simProxy(h.url, {
    rewrite: (text, r) => {
      if (!forge || !r.path.includes('/qos')) return text;
      const dates = [...text.matchAll(/"date_time":"([^"]+)"/g)].map((m) => Date.parse(m[1]!));
      const newest = Math.max(...dates);
      forged = zoomTime(newest + DAY);
      return text.split(`"date_time":"${zoomTime(newest)}"`).join(`"date_time":"${forged}"`);
    },
  });
  daemonClock = new VirtualClock(h.clock.now() - 2 * HOUR);
  ({ scheduler, events } = meetingScheduler(proxy.url, daemonClock, { stats }));
});
afterAll(async () => {
  await proxy.close();
  await h.close();
});

const times = (): number[] =>
  events.flatMap((e) => (e.type === 'samples' ? e.samples.map((s) => s.time) : [])).sort((a, b) => a - b);

describe("a polled sample dated ahead of Zoom's clock (the answer's Date)", () => {
  it('is refused a day ahead; the minutes dated at or before the answer are new, though hours ahead of the daemon', async () => {
    forge = true;
    await scheduler.cycle(new AbortController().signal);
    expect(forged).toBeDefined();
    expect(stats.samplesFuture).toBe(1);
    const got = times();
    expect(got.length).toBeGreaterThan(5);
    expect(Math.max(...got)).toBeLessThanOrEqual(h.clock.now());
    expect(Math.max(...got) - daemonClock.now()).toBeGreaterThan(HOUR);
    expect(got).not.toContain(Date.parse(forged!));
  });

  it('does not blind the join: the next poll brings the real newest minutes', async () => {
    forge = false;
    const before = times().length;
    h.clock.advance(2 * MIN);
    daemonClock.advance(2 * MIN);
    await scheduler.cycle(new AbortController().signal, { all: true });
    const got = times();
    expect(got.length).toBeGreaterThan(before);
    expect(Math.max(...got)).toBeGreaterThan(h.clock.now() - 2 * MIN);
    expect(stats.samplesFuture).toBe(1);
  });
});
