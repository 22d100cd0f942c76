import { afterEach, describe, expect, it } from 'vitest';
import { rateLimitedUntil } from '../../src/app/status-report.js';
import { ENDPOINTS, liveRange } from '../../src/zoom/endpoints.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { isZoomError, type ZoomError } from '../../src/zoom/errors.js';
import { captureLog } from '../helpers/log.js';
import { meetingWith, s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Review (stop 39, LOW): a 429 paused the rate-limit category of the endpoint called, not the one
 * Zoom names in its `X-RateLimit-Category`. A QoS call (Heavy) refused under Resource-intensive
 * paused the Heavy calls and left the live lists free to run into the limit Zoom named. The
 * header is honoured when it names a category qoswatch knows; otherwise the endpoint's is paused
 * and the value logged once.
 */
let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const qos = { id: 'mtg-uuid-1==' };
const liveList = (client: ReturnType<typeof s2sClient>, now: number) =>
  client.get(ENDPOINTS.meetings, {}, { type: 'live', ...liveRange(now) });

/** A simulator whose QoS endpoint answers its first `times` requests with a 429 naming `category`. */
async function qos429(category: string, delay: string, times = 1): Promise<SimHarness> {
  h = await startSim({
    meetings: [meetingWith(2)],
    faults: [{ kind: '429', path: 'participants/qos', times, delay, rate_limit_category: category }],
  });
  return h;
}

describe("a 429's X-RateLimit-Category", () => {
  it('names the category paused: a Heavy call refused under Resource-intensive pauses the live lists, not QoS', async () => {
    const sim = await qos429('Resource-intensive', '300s');
    const client = s2sClient(sim);
    const t = sim.clock.now();
    const err = await client.get(ENDPOINTS.meetingQos, qos, { page_size: 10 }).catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_RATE_LIMITED')).toBe(true);
    expect((err as ZoomError).message).toBe(
      `meeting_qos: Zoom's Resource-intensive rate limit pauses these calls until ${new Date(t + 300_000).toISOString()} (the 429's Retry-After: 300 s); not sent, asked again then`,
    );
    expect(client.pause('Resource-intensive')?.until).toBe(t + 300_000);
    // Heavy's own limit is not paused: what holds QoS calls is Resource-intensive's pause.
    expect(client.pause('Heavy')?.category).toBe('Resource-intensive');
    // The live list waits, unsent.
    await expect(liveList(client, sim.clock.now())).rejects.toMatchObject({ code: 'ZOOM_RATE_LIMITED' });
    expect(sim.sim.requests.get('list 200')).toBeUndefined();
  });

  it('holds the calls whose 429 named it too: a later QoS call waits for that pause, unsent (review stop 40, LOW)', async () => {
    const sim = await qos429('Resource-intensive', '300s', 5);
    const client = s2sClient(sim);
    const t = sim.clock.now();
    await expect(client.get(ENDPOINTS.meetingQos, qos, { page_size: 10 })).rejects.toMatchObject({
      code: 'ZOOM_RATE_LIMITED',
    });
    expect(client.pause('Heavy')).toEqual({
      until: t + 300_000,
      origin: "the 429's Retry-After: 300 s",
      category: 'Resource-intensive',
    });
    // /api/v1/status and qoswatch_zoom_rate_limit_paused_seconds read that one pause too. Before
    // (client.pausedUntil, the category's own limiter only), they said Heavy was not paused
    // while its polls were deferred.
    const at = new Date(t + 300_000).toISOString();
    expect(rateLimitedUntil(client)).toEqual({ Heavy: at, 'Resource-intensive': at });
    // Before, this call was sent and cost a second 429.
    const err = await client.get(ENDPOINTS.meetingQos, qos, { page_size: 10 }).catch((e: unknown) => e);
    expect((err as ZoomError).message).toBe(
      `meeting_qos: Zoom's Resource-intensive rate limit pauses these calls until ${new Date(t + 300_000).toISOString()} (the 429's Retry-After: 300 s); not sent, asked again then`,
    );
    expect(sim.sim.requests.get('qos 429')).toBe(1);
    // Once it is over, QoS calls go again.
    sim.clock.advanceTo(t + 300_000);
    expect(client.pause('Heavy')).toBeUndefined();
    sim.sim.faults.clear();
    await client.get(ENDPOINTS.meetingQos, qos, { page_size: 10 });
    expect(sim.sim.requests.get('qos 200')).toBe(1);
  });

  it('a pause of another category that ends within the call is waited out before the call is sent again', async () => {
    const sim = await qos429('resource-intensive', '7s');
    const client = s2sClient(sim);
    const t = sim.clock.now();
    await client.get(ENDPOINTS.meetingQos, qos, { page_size: 10 });
    expect(sim.clock.now() - t).toBeGreaterThanOrEqual(7000);
    expect(sim.sim.requests.get('qos 429')).toBe(1);
    expect(sim.sim.requests.get('qos 200')).toBe(1);
    expect(client.stats.total({ outcome: 'rate_limited' })).toBe(1);
  });

  it('a QoS call queued for its permit when another QoS call is refused under Resource-intensive is held by that pause, unsent (review stop 41, LOW)', async () => {
    // One Heavy permit a second: the second call waits in the queue while the first is answered.
    h = await startSim({
      meetings: [meetingWith(2)],
      faults: [
        {
          kind: '429',
          path: 'participants/qos',
          times: 1,
          delay: '300s',
          rate_limit_category: 'Resource-intensive',
        },
      ],
    });
    const client = s2sClient(h, { limits: { ...PLAN_DEFAULTS.business, heavyPerSecond: 1 } });
    const t = h.clock.now();
    const calls = [0, 1].map(() =>
      client.get(ENDPOINTS.meetingQos, qos, { page_size: 10 }).catch((e: unknown) => e),
    );
    const [first, queued] = await Promise.all(calls);
    for (const err of [first, queued]) {
      expect(isZoomError(err, 'ZOOM_RATE_LIMITED')).toBe(true);
      expect((err as ZoomError).details.resetAt).toBe(t + 300_000);
    }
    expect((queued as ZoomError).message).toBe(
      `meeting_qos: Zoom's Resource-intensive rate limit pauses these calls until ${new Date(t + 300_000).toISOString()} (the 429's Retry-After: 300 s); not sent, asked again then`,
    );
    // Before, the queued call was sent once its permit came, into the pause Zoom had named.
    expect(h.sim.requests.get('qos 429')).toBe(1);
    expect(h.sim.requests.get('qos 200')).toBeUndefined();
  });

  it("one qoswatch does not know: the endpoint's category is paused, the value logged once", async () => {
    const sim = await qos429('Light', '300s', 2);
    const log = captureLog();
    const client = s2sClient(sim, { logger: log.log });
    const t = sim.clock.now();
    await expect(client.get(ENDPOINTS.meetingQos, qos, { page_size: 10 })).rejects.toMatchObject({
      code: 'ZOOM_RATE_LIMITED',
    });
    expect(client.pause('Heavy')?.until).toBe(t + 300_000);
    expect(client.pause('Resource-intensive')?.until).toBeUndefined();
    sim.clock.advanceTo(t + 300_000);
    await expect(client.get(ENDPOINTS.meetingQos, qos, { page_size: 10 })).rejects.toMatchObject({
      code: 'ZOOM_RATE_LIMITED',
    });
    expect(sim.sim.requests.get('qos 429')).toBe(2);
    const warned = log.lines.filter((l) => l.msg.includes('X-RateLimit-Category'));
    expect(warned.map((l) => l.msg)).toEqual([
      `Zoom's X-RateLimit-Category "Light" is none qoswatch knows (Heavy, Resource-intensive): taken as the endpoint's, Heavy`,
    ]);
  });
});
