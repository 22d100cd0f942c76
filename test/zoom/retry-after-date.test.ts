import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { S2SOAuth } from '../../src/zoom/auth.js';
import { ZoomClient } from '../../src/zoom/client.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { json, TestServer } from '../helpers/http-server.js';
import { simProxy } from '../helpers/proxy.js';
import { meetingWith, s2sClient, startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Review (stop 38, LOW): a `Retry-After` given as a date is Zoom's clock, and was measured
 * against ours: with Zoom 6 minutes ahead, `Retry-After: <now + 12 s>` was a 6-minute wait, cut
 * to 5 minutes and counted as capped; with Zoom 2 minutes behind it was a date already past, so
 * the 12 s were not waited (one window, then the call again, into the same limit). Now its wait
 * is measured from the answer's `Date` (the same clock), bounded as a number of seconds is.
 */
const MIN = 60_000;

let h: SimHarness | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  await h?.close();
  h = server = undefined;
});

/** One QoS call through a 429 whose Retry-After is the simulator's clock + 12 s, by a daemon `offMs` off it. */
async function waitedBehindZoom(offMs: number, retryAfter?: string, maxRateLimitWaitMs?: number) {
  h = await startSim({
    meetings: [meetingWith(2)],
    faults: [
      {
        kind: '429',
        times: 1,
        delay: '12s',
        retry_after_format: 'date',
        ...(retryAfter ? { retry_after: retryAfter } : {}),
      },
    ],
  });
  const clock = new VirtualClock(h.clock.now() + offMs);
  const client = s2sClient(h, { clock, ...(maxRateLimitWaitMs ? { maxRateLimitWaitMs } : {}) });
  const t = clock.now();
  await client.get(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 });
  expect(h.sim.requests.get('qos 429')).toBe(1);
  return { waitedMs: clock.now() - t, capped: client.stats.retryAfterCapped };
}

/** The 12 s the 429 asked for: the Date is to the second, the simulator's Retry-After to the millisecond (up to 1 s more). */
function expectTwelveSeconds(waitedMs: number): void {
  expect(waitedMs).toBeGreaterThanOrEqual(12_000);
  expect(waitedMs).toBeLessThan(14_000);
}

describe("a Retry-After date is measured from the answer's Date", () => {
  it('Zoom 6 minutes ahead of this machine: 12 s, not 5 minutes capped', async () => {
    const { waitedMs, capped } = await waitedBehindZoom(-6 * MIN);
    expectTwelveSeconds(waitedMs);
    expect(capped).toBe(0);
  });

  it('Zoom 2 minutes behind this machine: 12 s, not a date already past', async () => {
    const { waitedMs } = await waitedBehindZoom(2 * MIN);
    expectTwelveSeconds(waitedMs);
  });

  it('is bounded as a number of seconds is: a date 3 years after the Date waits 5 minutes (per-second limit)', async () => {
    // Waited out within the call, to measure it: by default a pause past 30 s refuses the call
    // instead (client.test.ts, "pauses its category only").
    const { waitedMs, capped } = await waitedBehindZoom(2 * MIN, '2029-11-20T10:05:00Z', 6 * MIN);
    expect(waitedMs).toBeGreaterThanOrEqual(5 * MIN);
    expect(waitedMs).toBeLessThan(6 * MIN);
    expect(capped).toBe(1);
  });

  it("an answer without a Date: measured from this machine's clock", async () => {
    const clock = new VirtualClock(T0);
    let calls = 0;
    server = new TestServer((r, res) => {
      res.sendDate = false;
      if (r.path.startsWith('/oauth')) return json(res, 200, { access_token: 't', expires_in: 3600 });
      if (calls++ === 0)
        return json(
          res,
          429,
          { code: 429, message: 'Too many requests.' },
          {
            'x-ratelimit-type': 'QPS',
            'retry-after': new Date(T0 + 20_000).toUTCString(),
          },
        );
      json(res, 200, { participants: [] });
    });
    const url = await server.listen();
    const client = new ZoomClient({
      apiUrl: url,
      auth: new S2SOAuth(
        { oauthUrl: `${url}/oauth`, accountId: 'a', clientId: 'b', clientSecret: 'c' },
        clock,
      ),
      limits: PLAN_DEFAULTS.business,
      dailyShare: 1,
      clock,
    });
    await client.get(ENDPOINTS.meetingQos, { id: 'u1' }, { page_size: 10 });
    expect(calls).toBe(2);
    expect(clock.now() - T0).toBe(20_000);
  });
});

/**
 * Review (stop 39, LOW): a `Date` ZoomClock refused as skewed still measured a Retry-After date.
 * Here a proxy stamps its own `Date`, 10 minutes off, on Zoom's 429 (its Retry-After Zoom's, on the
 * same clock as this machine's): measured from that `Date`, the proxy 10 minutes behind made 12 s a
 * 10-minute wait (cut to 5, counted as capped, the call refused), and 10 minutes ahead a date
 * already past (one window, 1 s, then into the same limit). Read both ways, the shorter wait still
 * ahead is kept: 12 s either way. The first case above (Zoom's own clock 6 minutes ahead, its
 * `Date` refused too) still waits 12 s.
 */
describe("a Retry-After date when the answer's Date is refused as skewed", () => {
  async function waitedThroughProxy(proxyOffMs: number) {
    h = await startSim({
      meetings: [meetingWith(2)],
      faults: [{ kind: '429', times: 1, delay: '12s', retry_after_format: 'date' }],
    });
    server = await simProxy(h.url, {
      redate: (date) => (date ? new Date(Date.parse(date) + proxyOffMs).toUTCString() : date),
    });
    const client = s2sClient({ url: server.url, clock: h.clock });
    const t = h.clock.now();
    await client.get(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 });
    expect(h.sim.requests.get('qos 429')).toBe(1);
    expect(h.sim.requests.get('qos 200')).toBe(1);
    expect(client.stats.dateSkewed).toBeGreaterThan(0);
    return { waitedMs: h.clock.now() - t, capped: client.stats.retryAfterCapped };
  }

  it.each([
    ['a proxy 10 minutes behind: 12 s, not 5 minutes capped', -10 * MIN],
    ['a proxy 10 minutes ahead: 12 s, not a date already past', 10 * MIN],
  ])('%s', async (_, proxyOffMs) => {
    const { waitedMs, capped } = await waitedThroughProxy(proxyOffMs);
    expectTwelveSeconds(waitedMs);
    expect(capped).toBe(0);
  });
});
