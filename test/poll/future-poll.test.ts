import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/normalize/events.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import type { DashboardSource } from '../../src/poll/dashboard-source.js';
import type { Scheduler } from '../../src/poll/scheduler.js';
import { VirtualClock } from '../../src/util/clock.js';
import type { TestServer } from '../helpers/http-server.js';
import { captureLog, type LogLine } from '../helpers/log.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingScheduler } from '../helpers/scheduler.js';
import { startSim, type SimHarness } from '../helpers/sim.js';
import { zoomTime } from '../../src/util/zoom-time.js';

/**
 * Issue 15: a polled sample dated a day ahead became its join's newest minute, and every real
 * minute after it was skipped by polling (`seenUpTo`) and never judged. It is refused, judged
 * against Zoom's own clock (the answer's `Date`): here the daemon's clock is 2 minutes behind the
 * simulator's, and the real minutes up to the answer's `Date` are new.
 *
 * Stop 38: the answer's `Date` was trusted without bound: one dated a day ahead (a proxy's
 * clock) let the sample dated a day ahead in (`qoswatch_samples_future_total 0`), and the
 * participant was blind while coverage showed 100%. A `Date` more than 5 minutes off this
 * machine's clock is not taken (zoom/zoom-clock.ts).
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let h: SimHarness;
let proxy: TestServer;
let scheduler: Scheduler;
let source: DashboardSource;
let daemonClock: VirtualClock;
const stats = new NormalizeStats();
let events: PipelineEvent[];
let lines: LogLine[];
/** Whether the proxy moves the newest date_time of the QoS answer a day ahead. */
let forge = false;
/** Whether the proxy dates its answers a day ahead as well. */
let redate = false;
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
    redate: (date) => (redate && date ? new Date(Date.parse(date) + DAY).toUTCString() : date),
  });
  daemonClock = new VirtualClock(h.clock.now() - 2 * MIN);
  const log = captureLog();
  lines = log.lines;
  ({ scheduler, events, source } = meetingScheduler(proxy.url, daemonClock, { stats, log: log.log }));
});
afterAll(async () => {
  await proxy.close();
  await h.close();
});

const times = (): number[] =>
  events.flatMap((e) => (e.type === 'samples' ? e.samples.map((s) => s.time) : [])).sort((a, b) => a - b);
const skewWarnings = (): LogLine[] => lines.filter((l) => l.msg.startsWith("Zoom's answer is dated"));

/** Both clocks on by `ms`, and one cycle of every instance. */
async function cycle(ms: number): Promise<void> {
  h.clock.advance(ms);
  daemonClock.advance(ms);
  await scheduler.cycle(new AbortController().signal, { all: true });
}

describe("a polled sample dated ahead of Zoom's clock (the answer's Date)", () => {
  it('is refused a day ahead; the minutes dated at or before the answer are new, though ahead of the daemon', async () => {
    forge = true;
    await scheduler.cycle(new AbortController().signal);
    expect(forged).toBeDefined();
    expect(stats.samplesFuture).toBe(1);
    const got = times();
    expect(got.length).toBeGreaterThan(5);
    expect(Math.max(...got)).toBeLessThanOrEqual(h.clock.now());
    expect(Math.max(...got)).toBeGreaterThan(daemonClock.now());
    expect(got).not.toContain(Date.parse(forged!));
    expect(source.client.stats.dateSkewed).toBe(0);
  });

  it('does not blind the join: the next poll brings the real newest minutes', async () => {
    forge = false;
    const before = times().length;
    await cycle(2 * MIN);
    const got = times();
    expect(got.length).toBeGreaterThan(before);
    expect(Math.max(...got)).toBeGreaterThan(h.clock.now() - 2 * MIN);
    expect(stats.samplesFuture).toBe(1);
  });
});

describe("an answer whose Date is a day ahead of this machine's clock", () => {
  it("is not taken as Zoom's clock: its sample dated a day ahead is refused, counted and the skew logged once", async () => {
    forge = redate = true;
    forged = undefined;
    await cycle(2 * MIN);
    expect(forged).toBeDefined();
    // Old code: 1 (nothing refused), the forged minute kept.
    expect(stats.samplesFuture).toBe(2);
    expect(times()).not.toContain(Date.parse(forged!));
    expect(source.client.stats.dateSkewed).toBeGreaterThan(0);
    await cycle(2 * MIN);
    expect(skewWarnings()).toHaveLength(1);
    expect(skewWarnings()[0]!.msg).toMatch(/^Zoom's answer is dated 86\d{3} s ahead of this machine's clock/);
  });

  it('the real minutes after it are still taken: the participant is not blind', async () => {
    forge = redate = false;
    const before = times().length;
    await cycle(2 * MIN);
    const got = times();
    expect(got.length).toBeGreaterThan(before);
    expect(Math.max(...got)).toBeGreaterThan(h.clock.now() - 2 * MIN);
  });
});
