import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { TestServer } from '../helpers/http-server.js';
import { T0, videoSdkClient } from '../helpers/sim.js';

/**
 * Outside tester hT44b (Z1, MEDIUM): an error answer whose small body is past its endpoint's JSON
 * bounds (here nested 40 deep, past 32) was refused on its body before its status was read:
 * `bad_response`, not asked for again, a 429's Retry-After never waited (the daemon asked every
 * cycle, inside Zoom's 30 s). An error answer is now judged by its status, its body as if empty;
 * real servers on 127.0.0.1.
 */

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const EMPTY_LIST = '{"page_size":300,"next_page_token":"","meetings":[]}';
/** Zoom's error shape, with a detail nested 40 deep: past the 32 levels any answer may hold. */
const deep = (code: number): string =>
  `{"code":${code},"message":"slow down","detail":${'['.repeat(40)}${']'.repeat(40)}}`;

/** A server whose first answer is `first` (status, headers, body), and every later one an empty meetings list. */
async function serving(
  status: number,
  headers: Record<string, string>,
  body: string,
): Promise<{ server: TestServer; calls: () => number }> {
  let calls = 0;
  const server = new TestServer((_r, res: ServerResponse) => {
    if (calls++ > 0) return void res.end(EMPTY_LIST);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  });
  servers.push(server);
  await server.listen();
  return { server, calls: () => calls };
}

describe('an error answer past its JSON bounds is judged by its status', () => {
  it('a 429 nested 40 deep, Retry-After 30: waited 30 s, then asked again (was bad_response, not asked again)', async () => {
    const { server, calls } = await serving(
      429,
      { 'retry-after': '30', 'x-ratelimit-type': 'QPS' },
      deep(429),
    );
    const clock = new VirtualClock(T0);
    const zoom = videoSdkClient({ url: server.url, clock });
    await expect(zoom.get(ENDPOINTS.meetings, {})).resolves.toMatchObject({ meetings: [] });
    expect(calls()).toBe(2);
    expect(clock.now() - T0).toBeGreaterThanOrEqual(30_000);
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'rate_limited' })).toBe(1);
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'bad_response' })).toBe(0);
  });

  it('a 503 nested 40 deep: a server error, retried (was bad_response, not asked again)', async () => {
    const { server, calls } = await serving(503, {}, deep(503));
    const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
    await expect(zoom.get(ENDPOINTS.meetings, {})).resolves.toMatchObject({ meetings: [] });
    expect(calls()).toBe(2);
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'server_error' })).toBe(1);
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'bad_response' })).toBe(0);
  });

  it('a 400 nested 40 deep: a client error by its status, its body unread; a 200 as deep is still refused', async () => {
    const { server } = await serving(400, {}, deep(300));
    const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
    const err = await zoom.get(ENDPOINTS.meetings, {}).then(
      () => new Error('not refused'),
      (e: unknown) => e as Error,
    );
    expect(isZoomError(err, 'ZOOM_HTTP_ERROR'), err.message).toBe(true);
    expect(err.message).toBe('meetings: Zoom answered HTTP 400: no message');
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'client_error' })).toBe(1);

    const ok = await serving(200, {}, `{"meetings":${'['.repeat(40)}${']'.repeat(40)}}`);
    const again = videoSdkClient({ url: ok.server.url, clock: new VirtualClock(T0) });
    await expect(again.get(ENDPOINTS.meetings, {})).rejects.toThrow(
      "meetings: Zoom's answer (HTTP 200) nests deeper than 32 levels",
    );
    expect(ok.calls()).toBe(1);
  });
});
