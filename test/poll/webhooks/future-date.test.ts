import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUTURE_TOLERANCE_MS } from '../../../src/poll/future.js';
import { ADOPT_AFTER_MS, type EventClockMode } from '../../../src/poll/webhooks/event-clock.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { fromRoot } from '../../../src/util/package-root.js';
import { startWebhooks, webhookSettings, type Started } from '../../helpers/webhooks-service.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';
import { zoomTime } from '../../../src/util/zoom-time.js';

/**
 * Issue 15 outside tests: a signed push dated a day ahead was counted new, became the join's
 * newest minute, and every real minute after it was late and never judged. Samples dated more
 * than FUTURE_TOLERANCE_MS ahead of Zoom's own clock are refused and counted as `future`.
 * Zoom's clock is the event's `event_ts`, but only as far as the signed request timestamp and
 * the skew the app's events have steadily shown allow (event-clock.ts): a one-off `event_ts` a
 * day ahead (or 1e20) was taken as Zoom's clock and let its samples blind the join, and one in
 * the past (-1, 0, seconds) made current samples "future". A sender whose event clock runs
 * faster than real time (`qoswatch simulate --speed`: `event_ts` and `date_time` on its fast
 * scenario clock, signatures on real time) is followed.
 */
const SECRET = 'future-date-secret';
const body = readFileSync(
  fromRoot('test', 'fixtures', 'zoom-webhooks', 'meeting.participant_qos.json'),
  'utf8',
);
const REAL = '2021-07-13T21:44:51Z';
const EVENT_TS = 1626230691572;
const HOUR = 3_600_000;
const MIN = 60_000;
/**
 * The fixture's event for join `join` with its sample dated `date` and its event_ts `ts`
 * (also what makes it not a replay); without `ts`, no event_ts.
 */
const event = (date: string, ts: number | undefined, join = '1234567890'): string => {
  const b = body
    .replace(`"date_time": "${REAL}"`, `"date_time": "${date}"`)
    .replace('"user_id": "1234567890"', `"user_id": "${join}"`);
  return ts === undefined
    ? b.replace(`"event_ts": ${EVENT_TS},`, '')
    : b.replace(`"event_ts": ${EVENT_TS}`, `"event_ts": ${ts}`);
};

interface Service {
  s: Started;
  clock: VirtualClock;
  push: (b: string) => Promise<void>;
  counts: () => Record<string, number>;
  eventTs: () => Record<string, number>;
  times: (join?: string) => number[];
}

/**
 * The webhooks of a daemon whose clock reads `now` (its state in `dir`), its app's `event_clock`
 * as given; requests are signed with that clock.
 */
async function service(
  now: number,
  eventClock: EventClockMode = 'zoom',
  dir = mkdtempSync(join(tmpdir(), 'qw-future-')),
): Promise<Service> {
  const clock = new VirtualClock(now);
  const settings = webhookSettings(SECRET);
  settings.apps[0]!.eventClock = eventClock;
  const s = await startWebhooks(dir, clock, settings);
  const status = (): { samples: Record<string, number>; event_ts: Record<string, number> } =>
    s.w.status(clock.now());
  return {
    s,
    clock,
    push: async (b) => {
      expect((await post(s.url, b, zoomHeaders(SECRET, b, clock.now()))).status).toBe(200);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    },
    counts: () => status().samples,
    eventTs: () => status().event_ts ?? {},
    times: (joinId) =>
      s.events.flatMap((e) =>
        e.type === 'samples'
          ? e.samples.filter((x) => joinId === undefined || x.participant.join === joinId).map((x) => x.time)
          : [],
      ),
  };
}

describe("a pushed sample dated ahead of Zoom's clock (its event's event_ts)", () => {
  /**
   * Zoom's example dates its sample 5 hours before its event_ts, so received then it is late
   * (older than gap_tolerance: poll/stale.ts); here its sample is dated at its event_ts's minute.
   */
  const SENT = Math.floor(EVENT_TS / MIN) * MIN;
  let z: Service;
  beforeAll(async () => {
    // Zoom's example event, received a second after its event_ts.
    z = await service(EVENT_TS + 1000);
  });
  afterAll(async () => z.s.w.close());

  it('is refused as future a day ahead, and the real minute after it is still new and judged', async () => {
    await z.push(event(zoomTime(SENT + 24 * HOUR), EVENT_TS + 1));
    expect(z.counts()).toMatchObject({ new: 0, late: 0, future: 1 });
    expect(z.times()).toEqual([]);
    await z.push(event(zoomTime(SENT), EVENT_TS));
    expect(z.counts()).toMatchObject({ new: 1, late: 0, future: 1 });
    expect(z.times()).toEqual([SENT]);
  });

  it('is taken within the tolerance of event_ts, refused just past it', async () => {
    await z.push(event(zoomTime(EVENT_TS + FUTURE_TOLERANCE_MS + 60_000), EVENT_TS + 2));
    expect(z.counts()).toMatchObject({ new: 1, future: 2 });
    const within = Math.floor((EVENT_TS + FUTURE_TOLERANCE_MS) / 1000) * 1000;
    await z.push(event(zoomTime(within), EVENT_TS + 3));
    expect(z.counts()).toMatchObject({ new: 2, future: 2 });
    expect(z.times()).toEqual([SENT, within]);
    expect(z.eventTs()).toEqual({ ahead: 0, past: 0, adopted: 0 });
  });

  it('without an event_ts, is judged by its signed request timestamp', async () => {
    await z.push(event(zoomTime(z.clock.now() + 24 * HOUR), undefined));
    expect(z.counts()).toMatchObject({ new: 2, future: 3 });
    await z.push(event(zoomTime(z.clock.now() + 3 * HOUR), undefined));
    expect(z.counts()).toMatchObject({ new: 2, future: 4 });
  });
});

describe("an event_ts that is not Zoom's clock (signed, but inconsistent with its request timestamp)", () => {
  const T = Date.parse('2026-12-02T08:00:00Z');
  let z: Service;
  beforeAll(async () => {
    z = await service(T);
  });
  afterAll(async () => z.s.w.close());

  it('a day ahead, with its sample a day ahead: refused, and the join is not blinded', async () => {
    await z.push(event(zoomTime(T + 24 * HOUR), T + 24 * HOUR, 'j-day'));
    expect(z.counts()).toMatchObject({ new: 0, late: 0, future: 1 });
    expect(z.eventTs()).toMatchObject({ ahead: 1 });
    z.clock.advance(MIN);
    // The real minute after it: new and judged, not late behind a minute a day ahead.
    await z.push(event(zoomTime(T + MIN), T + MIN, 'j-day'));
    expect(z.counts()).toMatchObject({ new: 1, late: 0, future: 1 });
    expect(z.times('j-day')).toEqual([T + MIN]);
  });

  it('1e20, with its sample a day ahead: refused, and the join is not blinded', async () => {
    await z.push(event(zoomTime(T + 24 * HOUR), 1e20, 'j-huge'));
    expect(z.counts()).toMatchObject({ new: 1, late: 0, future: 2 });
    expect(z.eventTs()).toMatchObject({ ahead: 2 });
    z.clock.advance(MIN);
    await z.push(event(zoomTime(T + 2 * MIN), T + 2 * MIN, 'j-huge'));
    expect(z.counts()).toMatchObject({ new: 2, late: 0, future: 2 });
    expect(z.times('j-huge')).toEqual([T + 2 * MIN]);
  });

  it.each([
    ['-1', -1],
    ['0', 0],
    ['in seconds', Math.floor(T / 1000)],
    ['a day old', T - 24 * HOUR],
  ])('%s, with a current sample: the sample is new, the event_ts counted as past', async (_, ts) => {
    const before = z.counts().new!;
    const past = z.eventTs().past ?? 0;
    const joinId = `j-past-${ts}`;
    await z.push(event(zoomTime(z.clock.now() - 10_000), ts, joinId));
    expect(z.counts().new).toBe(before + 1);
    expect(z.times(joinId)).toHaveLength(1);
    expect(z.eventTs().past).toBe(past + 1);
  });

  it("a retry's event_ts an hour old is no anomaly: nothing counted against it, its old sample late (poll/stale.ts)", async () => {
    const counted = z.eventTs();
    const late = z.counts().late!;
    await z.push(event(zoomTime(z.clock.now() - HOUR - 30_000), z.clock.now() - HOUR, 'j-retry'));
    expect(z.times('j-retry')).toHaveLength(0);
    expect(z.counts().late).toBe(late + 1);
    expect(z.eventTs()).toEqual(counted);
  });
});

describe('qoswatch simulate --speed 60 --push-every 10m, event_clock: follow (outside tester, stop 34, LOW)', () => {
  const T = Date.parse('2026-12-02T09:00:00Z');

  it('is followed: a round every 10 s of real time, 590 s more skew each, every minute new', async () => {
    const z = await service(T, 'follow');
    try {
      // The skew rose by at most 5 minutes per request: every round after the first was 'ahead'
      // (its samples future), and never adopted (no two rounds within 5 minutes of each other).
      for (let r = 0; r < 30; r++) {
        z.clock.advanceTo(T + r * 10_000);
        const fast = T + r * 10 * MIN;
        await z.push(event(zoomTime(fast - 1000), fast, 'j-sixty'));
      }
      expect(z.counts()).toMatchObject({ new: 30, late: 0, future: 0 });
      expect(z.eventTs()).toEqual({ ahead: 0, past: 0, adopted: 0 });
      // Still: a one-off event a day further ahead, 10 s after the last round, is not taken.
      z.clock.advanceTo(T + 30 * 10_000);
      await z.push(event(zoomTime(T + 30 * 10 * MIN + 24 * HOUR), T + 30 * 10 * MIN + 24 * HOUR, 'j-sixty'));
      expect(z.counts()).toMatchObject({ new: 30, future: 1 });
      expect(z.eventTs()).toEqual({ ahead: 1, past: 0, adopted: 0 });
    } finally {
      await z.s.w.close();
    }
  });
});

describe('a sender whose event clock runs 10 times faster than real time (qoswatch simulate --speed 10), event_clock: follow', () => {
  const T = Date.parse('2026-12-02T09:00:00Z');
  /** Its pushes: every 60 s of its clock (6 s of real time), event_ts and the sample on its clock. */
  const rounds = async (
    z: Service,
    start: number,
    from: number,
    to: number,
    joinId: string,
  ): Promise<void> => {
    for (let r = from; r < to; r++) {
      z.clock.advanceTo(T + r * 6_000);
      const fast = start + r * MIN;
      await z.push(event(zoomTime(fast - 1000), fast, joinId));
    }
  };

  it('started with the daemon: every minute is new though it runs hours ahead of the request timestamps', async () => {
    const z = await service(T, 'follow');
    try {
      await rounds(z, T, 0, 200, 'j-fast');
      // 200 minutes of its clock in 20 of real time: 180 minutes ahead at the end.
      expect(z.counts()).toMatchObject({ new: 200, late: 0, future: 0 });
      expect(z.eventTs()).toEqual({ ahead: 0, past: 0, adopted: 0 });
      // A one-off far-future event in its stream moves nothing: refused, and the next minute is new.
      await z.push(event(zoomTime(T + 200 * MIN + 24 * HOUR), T + 200 * MIN + 24 * HOUR, 'j-fast'));
      expect(z.counts()).toMatchObject({ new: 200, future: 1 });
      await rounds(z, T, 200, 203, 'j-fast');
      expect(z.counts()).toMatchObject({ new: 203, late: 0, future: 1 });
      expect(z.eventTs()).toEqual({ ahead: 1, past: 0, adopted: 0 });
    } finally {
      await z.s.w.close();
    }
  });

  it('started before the daemon (2 hours ahead): refused until its skew has held steadily, then followed', async () => {
    const z = await service(T, 'follow');
    try {
      const rounds6s = Math.ceil(ADOPT_AFTER_MS / 6_000);
      await rounds(z, T + 2 * HOUR, 0, rounds6s + 10, 'j-late');
      // Until the skew has held for ADOPT_AFTER_MS its samples are refused; from then on new.
      const c = z.counts();
      expect(c.future).toBe(rounds6s);
      expect(c.new).toBe(10);
      expect(c.late).toBe(0);
      expect(z.eventTs()).toEqual({ ahead: rounds6s, past: 0, adopted: 1 });
    } finally {
      await z.s.w.close();
    }
  });
});

/**
 * Issue 15 outside retest HIGH: three validly signed events for one join, 46 s apart, event_ts
 * and date_time a day ahead, in a quiet app, were adopted as Zoom's clock (skew 86,400,921 ms):
 * the day-ahead sample was new, the join's next honest samples late, every later honest event
 * `past`, until a restart.
 */
describe('a run of events a day ahead, every event of a quiet app for 90 s and more', () => {
  const T = Date.parse('2026-12-02T10:00:00Z');
  const DAY = 24 * HOUR;
  /** Events of join `joinId` a day ahead every 46 s of request time, from `from` for `n`. */
  const dayAhead = async (z: Service, from: number, n: number, joinId: string): Promise<void> => {
    for (let i = 0; i < n; i++) {
      z.clock.advanceTo(from + i * 46_000);
      await z.push(event(zoomTime(z.clock.now() + DAY - 1000), z.clock.now() + DAY + 921, joinId));
    }
  };

  it('event_clock: zoom (default): never adopted; their samples refused, the honest ones after them new', async () => {
    const z = await service(T);
    try {
      // The tester's three, then seven more: 7 minutes of nothing but a day ahead.
      await dayAhead(z, T, 10, 'j-day');
      expect(z.eventTs()).toEqual({ ahead: 10, past: 0, adopted: 0 });
      expect(z.counts()).toMatchObject({ new: 0, late: 0, future: 10 });
      const status = z.s.w.status(z.clock.now());
      expect(status.apps[0]).toMatchObject({ event_clock: 'zoom', skew_ms: 0 });
      // Honest events of that join and another: new, judged, nothing counted against them.
      for (let m = 1; m <= 5; m++) {
        z.clock.advanceTo(T + 10 * 46_000 + m * MIN);
        const now = z.clock.now();
        await z.push(event(zoomTime(now - 1000), now, 'j-day'));
        await z.push(event(zoomTime(now - 1000), now + 1, 'j-other'));
      }
      expect(z.counts()).toMatchObject({ new: 10, late: 0, future: 10 });
      expect(z.times('j-day')).toHaveLength(5);
      expect(z.eventTs()).toEqual({ ahead: 10, past: 0, adopted: 0 });
    } finally {
      await z.s.w.close();
    }
  });

  it('event_clock: zoom: a sender whose event clock runs ahead is never followed (its request timestamp is the clock)', async () => {
    const z = await service(T);
    try {
      for (let r = 0; r < 40; r++) {
        z.clock.advanceTo(T + r * 6_000);
        const fast = T + 2 * HOUR + r * MIN;
        await z.push(event(zoomTime(fast - 1000), fast, 'j-sim'));
      }
      expect(z.eventTs()).toEqual({ ahead: 40, past: 0, adopted: 0 });
      expect(z.counts()).toMatchObject({ new: 0, future: 40 });
    } finally {
      await z.s.w.close();
    }
  });

  it('event_clock: follow: adopted, but honest events at a lower skew win the clock back', async () => {
    const z = await service(T, 'follow');
    try {
      await dayAhead(z, T, 3, 'j-day');
      // What follow is for: a steady skew (here wrong) that held 90 s is taken.
      expect(z.eventTs()).toMatchObject({ adopted: 1 });
      const skew = (): number => z.s.w.status(z.clock.now()).apps[0]!.skew_ms;
      expect(skew()).toBeGreaterThan(DAY - MIN);
      // Honest events (event_ts = request timestamp) of other joins, one every 30 s.
      const from = T + 3 * 46_000;
      let n = 0;
      for (; n < 20 && skew() > 0; n++) {
        z.clock.advanceTo(from + n * 30_000);
        const now = z.clock.now();
        await z.push(event(zoomTime(now - 1000), now, `j-honest-${n}`));
      }
      expect(skew()).toBe(0);
      expect(z.eventTs().adopted).toBe(2);
      // Won back within the same 90 s (at least 3 events) that a new skew needs.
      expect(n).toBeLessThanOrEqual(Math.ceil(ADOPT_AFTER_MS / 30_000) + 1);
      // From then on honest events are trusted and a sample a day ahead is refused again.
      const past = z.eventTs().past;
      z.clock.advance(MIN);
      const now = z.clock.now();
      await z.push(event(zoomTime(now - 1000), now, 'j-after'));
      expect(z.times('j-after')).toHaveLength(1);
      expect(z.eventTs().past).toBe(past);
      const future = z.counts().future!;
      await z.push(event(zoomTime(now + DAY), now + 5, 'j-after-2'));
      expect(z.counts().future).toBe(future + 1);
    } finally {
      await z.s.w.close();
    }
  });
});

/**
 * Issue 15 outside retest MEDIUM: the skew was only in memory, so a daemon restarted under a
 * running `qoswatch simulate --speed 10` refused its pushed samples until it adopted the skew
 * again (1,496 refused over 22 SIGKILLs). A `follow` app's skew is kept in
 * state.dir/webhooks/event-clock.json while it runs and restored at start.
 */
describe('event_clock: follow across a restart, under a sender 10 times faster than real time', () => {
  const T = Date.parse('2026-12-02T11:00:00Z');
  const push = async (z: Service, from: number, to: number): Promise<void> => {
    for (let r = from; r < to; r++) {
      z.clock.advanceTo(T + r * 6_000);
      const fast = T + r * MIN;
      await z.push(event(zoomTime(fast - 1000), fast, 'j-restart'));
    }
  };

  it('keeps its skew on disk while it runs and takes every sample after the restart: 0 refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-future-restart-'));
    const a = await service(T, 'follow', dir);
    await push(a, 0, 100);
    // Saved while running (a SIGKILL now would keep it), within 10 s of the current skew.
    const file = (): { skews: Record<string, number> } =>
      JSON.parse(readFileSync(join(dir, 'webhooks', 'event-clock.json'), 'utf8')) as never;
    const running = a.s.w.status(a.clock.now()).apps[0]!.skew_ms;
    expect(running).toBeGreaterThan(80 * MIN);
    expect(Math.abs(file().skews.main! - running)).toBeLessThan(10_000);
    await a.s.w.close();
    expect(a.counts()).toMatchObject({ new: 100, future: 0 });
    // Restarted 3 s later (the sender ran on 30 s of its clock): its next 50 rounds all taken.
    const b = await service(T + 100 * 6_000 + 3_000, 'follow', dir);
    try {
      await push(b, 101, 151);
      expect(b.counts()).toMatchObject({ new: 50, late: 0, future: 0 });
      expect(b.eventTs()).toEqual({ ahead: 0, past: 0, adopted: 0 });
    } finally {
      await b.s.w.close();
    }
  });

  it('event_clock: zoom keeps no skew: nothing saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qw-future-zoom-'));
    const z = await service(T, 'zoom', dir);
    await z.push(event(zoomTime(T - 1000), T, 'j-z'));
    await z.s.w.close();
    expect(() => readFileSync(join(dir, 'webhooks', 'event-clock.json'))).toThrow();
  });
});
