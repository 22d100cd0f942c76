import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { S2SOAuth, VideoSdkJwt } from '../../src/zoom/auth.js';
import { ZoomClient, type ZoomClientOptions } from '../../src/zoom/client.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { json, TestServer, type Received } from '../helpers/http-server.js';
import { meetingWith, s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

// zoom.timeout (ZoomClientOptions.timeoutMs) is real time, as it bounds a socket: kept small here.
const TIMEOUT_MS = 200;

let server: TestServer | undefined;
let h: SimHarness | undefined;
afterEach(async () => {
  await server?.close();
  await h?.close();
  server = h = undefined;
});

/** Answers 200 and the start of a JSON body, then sends nothing more (the connection stays open). */
const stall = (res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"participants": [');
};

async function serve(reply: (r: Received, res: ServerResponse) => void): Promise<string> {
  server = new TestServer(reply);
  return server.listen();
}

/** A client of the Zoom API at `apiUrl` (a Video SDK JWT: no token endpoint to ask). */
function client(apiUrl: string, overrides: Partial<ZoomClientOptions> = {}): ZoomClient {
  const clock = new VirtualClock(Date.parse('2026-11-20T10:00:00Z'));
  return new ZoomClient({
    apiUrl,
    auth: new VideoSdkJwt('sdk-key', 'sdk-secret', clock),
    limits: PLAN_DEFAULTS.business,
    dailyShare: 1,
    clock,
    backoff: { baseMs: 100, capMs: 1000 },
    timeoutMs: TIMEOUT_MS,
    ...overrides,
  });
}

describe("zoom.timeout bounds the whole answer, the body included (ky's timeout ends at the headers)", () => {
  it('a body that stalls after the headers is a timeout, counted as one and retried (simulator, stall fault)', async () => {
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: 'stall', times: 1, delay: '10s' }] });
    const zoom = s2sClient(h, { timeoutMs: TIMEOUT_MS });
    const body = await zoom.get(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 });
    expect(body.participants).toHaveLength(2);
    // One stalled (a loaded machine may let a retry run past 200 ms too).
    expect(zoom.stats.total({ outcome: 'timeout' })).toBeGreaterThanOrEqual(1);
    expect(zoom.stats.total({ outcome: 'ok' })).toBe(1);
    expect(h.sim.faults.served.get('stall')).toBe(1);
  });

  it('a body that always stalls fails with ZOOM_TIMEOUT after the retries, each counted', async () => {
    const url = await serve((_r, res) => stall(res));
    const zoom = client(url, { maxRetries: 2 });
    const err = await zoom.get(ENDPOINTS.meetingQos, { id: 'm' }).catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_TIMEOUT')).toBe(true);
    expect((err as Error).message).toBe(`meeting_qos: no answer within ${TIMEOUT_MS} ms after 3 attempts`);
    expect(zoom.stats.total({ outcome: 'timeout' })).toBe(3);
    expect(server!.received).toHaveLength(3);
  });

  it("the stop aborts a call whose body stalls with the stop's reason, not counted as a timeout", async () => {
    const stop = new AbortController();
    const url = await serve((_r, res) => stall(res));
    // The stop comes once the answer's headers are in, while its body is read.
    const onHeaders = (): void => void setImmediate(() => stop.abort(new Error('shutdown')));
    subscribe('undici:request:headers', onHeaders);
    const zoom = client(url, { timeoutMs: 60_000 });
    const err = await zoom.get(ENDPOINTS.meetingQos, { id: 'm' }, {}, stop.signal).catch((e: unknown) => e);
    unsubscribe('undici:request:headers', onHeaders);
    expect(String(err)).toContain('shutdown');
    expect(zoom.stats.total()).toBe(0);
  });

  it("the token endpoint's stalled body is ZOOM_TIMEOUT, and a whole answer after it is read", async () => {
    let calls = 0;
    const url = await serve((_r, res) =>
      calls++ === 0 ? stall(res) : json(res, 200, { access_token: 'tok', expires_in: 3600 }),
    );
    const auth = new S2SOAuth(
      { oauthUrl: `${url}/oauth/token`, accountId: 'a', clientId: 'c', clientSecret: 's' },
      new VirtualClock(0),
      TIMEOUT_MS,
    );
    const err = await auth.authorize().catch((e: unknown) => e);
    expect(isZoomError(err, 'ZOOM_TIMEOUT')).toBe(true);
    expect((err as Error).message).toContain(`did not answer within ${TIMEOUT_MS} ms`);
    expect(await auth.authorize()).toMatchObject({ header: 'Bearer tok' });
  });
});

describe('a body cut short after the headers', () => {
  it('is a network error, retried, not an empty answer (it read as {}: a QoS page without participants)', async () => {
    h = await startSim({ meetings: [meetingWith(2)], faults: [{ kind: 'stall', times: 1, delay: '50ms' }] });
    const zoom = s2sClient(h, { timeoutMs: 60_000 });
    const body = await zoom.get(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 });
    expect(body.participants).toHaveLength(2);
    expect(zoom.stats.total({ outcome: 'network_error' })).toBe(1);
    expect(zoom.stats.total({ outcome: 'ok' })).toBe(1);
  });
});
