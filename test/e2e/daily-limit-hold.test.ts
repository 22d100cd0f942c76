import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/app/daemon.js';
import { daemonFor, holdClockInCycles } from '../helpers/daemon.js';
import { captureLog } from '../helpers/log.js';
import { counter } from '../helpers/qos-rewrite-run.js';
import { startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Zoom's daily limit with a far Retry-After (hT42, stop 42: it held polling for the 24-hour cap).
 * The daemon polls the simulator from 23:30 UTC; at 23:40 one QoS call is answered 429 with
 * `X-RateLimit-Type: Daily-limit` and `Retry-After: 9999-12-31T00:00:00Z`. Zoom resets its daily
 * pool at 00:00 UTC (its rate-limits page's example, its staff): every call stops until then,
 * says so in the log and in qoswatch_zoom_daily_limit_blocked_seconds, and polling goes on
 * from 00:00 (the cycle before wakes then). On the old code it stopped until 23:40 the next day.
 */
const MIN = 60_000;
const START = Date.parse('2026-11-20T23:30:00Z');
const MIDNIGHT = Date.parse('2026-11-21T00:00:00Z');

let h: SimHarness;
const { log, lines } = captureLog('info');
/** The minutes (from START) the meeting's QoS list was served. */
const served: number[] = [];
/** qoswatch_zoom_daily_limit_blocked_seconds after each cycle, by the cycle's minute. */
const blocked = new Map<number, number>();

beforeAll(async () => {
  h = await startSim(
    {
      start: new Date(START).toISOString(),
      seed: 'daily-limit-hold',
      meetings: [
        {
          id: 86500000044,
          uuid: 'daily/limit==',
          topic: 'Late call',
          end: '2h',
          participants: [{ key: 'bob', id: 'u-bob', user_id: '7431', name: 'Bob' }],
        },
      ],
      faults: [
        {
          kind: '429',
          path: 'participants/qos',
          rate_limit_type: 'Daily-limit',
          retry_after: '9999-12-31T00:00:00Z',
          from: '10m',
          times: 1,
        },
      ],
    },
    0,
  );
  h.sim.onServe = ({ at }) => served.push(Math.round((at - START) / MIN));
  const { daemon: template } = daemonFor(h);
  const daemon = holdClockInCycles(new Daemon(template.parts.config, { clock: h.clock, log }), h);
  const stop = new AbortController();
  const reads: Promise<void>[] = [];
  await daemon.run(stop.signal, () => {
    const now = h.clock.now();
    const release = h.clock.hold(); // the gauge read at this time
    reads.push(
      daemon.parts.metrics
        .text()
        .then((t) => {
          blocked.set(now, counter(t, 'qoswatch_zoom_daily_limit_blocked_seconds', ['account="zoom"']));
        })
        .finally(release),
    );
    if (now >= START + 40 * MIN) stop.abort();
  });
  await Promise.all(reads);
  await daemon.close();
}, 120_000);
afterAll(async () => h?.close());

describe('a Daily-limit 429 whose Retry-After is far away', () => {
  it('holds every call until the next 00:00 UTC, then polls again', () => {
    expect(served.filter((m) => m < 10).length).toBeGreaterThan(5);
    expect(served.filter((m) => m >= 10 && m < 30)).toEqual([]);
    expect(served.filter((m) => m >= 30).length).toBeGreaterThan(5);
    // At 00:00 itself: the cycle before it woke for the reset, not a max_interval (10m) later.
    expect(Math.min(...served.filter((m) => m >= 10))).toBe(30);
  });

  it('says until when and why, once', () => {
    const held = lines.filter((l) => l.msg.startsWith("Zoom's daily API limit reached"));
    expect(held.map((l) => l.msg)).toEqual([
      "Zoom's daily API limit reached; every call stops until 2026-11-21T00:00:00.000Z (the next 00:00 UTC, when Zoom resets its daily pool; its Retry-After (9999-12-31T00:00:00Z) is past that)",
    ]);
  });

  it('shows the hold in qoswatch_zoom_daily_limit_blocked_seconds: the seconds to 00:00 UTC, then 0', () => {
    const during = [...blocked].filter(([t]) => t > START + 10 * MIN && t < MIDNIGHT);
    expect(during.length).toBeGreaterThan(0);
    for (const [t, s] of during) expect(s, new Date(t).toISOString()).toBe((MIDNIGHT - t) / 1000);
    const before = [...blocked].filter(([t]) => t < START + 10 * MIN);
    const after = [...blocked].filter(([t]) => t >= MIDNIGHT);
    expect(before.length).toBeGreaterThan(5);
    expect(after.length).toBeGreaterThan(5);
    for (const [, s] of [...before, ...after]) expect(s).toBe(0);
  });
});
