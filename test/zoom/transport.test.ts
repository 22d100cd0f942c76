import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { ZoomClient } from '../../src/zoom/client.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { isZoomError, type ZoomError } from '../../src/zoom/errors.js';
import { answerBytes } from '../../src/zoom/answer-bounds.js';
import { json, TestServer } from '../helpers/http-server.js';
import { meetingWith, s2sClient, startSim, T0, videoSdkClient, type SimHarness } from '../helpers/sim.js';
import { cycle } from '../helpers/zoom-cycle.js';

// The client's requests go out through src/zoom/transport.ts (the undici package's request()
// under ky), not Node's fetch: these are what that changed, against real servers on 127.0.0.1.

let h: SimHarness | undefined;
const servers: TestServer[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(reply: ConstructorParameters<typeof TestServer>[0]): Promise<TestServer> {
  const server = new TestServer(reply);
  servers.push(server);
  await server.listen();
  return server;
}

/** A client of the Zoom API at `apiUrl` (a Video SDK JWT: no token endpoint to ask). */
const client = (url: string): ZoomClient => videoSdkClient({ url, clock: new VirtualClock(T0) });

describe('connections (simulator)', () => {
  it('the token request and 40 calls one after another share one socket: each body is read before the next call', async () => {
    // Node's fetch handed its socket back only after the caller had read the body, and the
    // token's socket apart: 2 were seen here.
    h = await startSim({ meetings: [meetingWith(3)] });
    const zoom = s2sClient(h);
    for (let i = 0; i < 40; i++)
      await zoom.get(ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 });
    expect(h.sim.requests.get('qos 200')).toBe(40);
    expect(h.sim.connections).toBe(1);
  });

  it('a cycle 8 at a time opens at most 8 sockets, and the next cycle reuses them', async () => {
    const meetings = Array.from({ length: 16 }, (_, i) =>
      meetingWith(12, { id: 85_000_000_100 + i, uuid: `mtg-uuid-${i}==` }),
    );
    h = await startSim({ meetings });
    const zoom = s2sClient(h);
    expect(await cycle(zoom)).toBe(16 * 12);
    const opened = h.sim.connections;
    expect(opened).toBeLessThanOrEqual(8);
    expect(await cycle(zoom)).toBe(16 * 12);
    expect(h.sim.connections).toBe(opened);
  });
});

describe('what Zoom is sent, and what of its answer is read', () => {
  it('asks for a compressed body, and decodes it', async () => {
    const body = { participants: [{ user_id: 'u1' }], next_page_token: '' };
    const server = await serve((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify(body)));
    });
    expect(await client(server.url).get(ENDPOINTS.meetingQos, { id: 'm' })).toEqual(body);
    expect(server.received[0]!.headers['accept-encoding']).toBe('gzip, deflate');
    expect(server.received[0]!.headers.authorization).toMatch(/^Bearer /);
    expect(server.received[0]!.headers['user-agent']).toBe('qoswatch');
  });

  // Outside tester, stop 38 (LOW): it was a network error, retried 5 times, each reading up to
  // 32 MiB again and spending a Heavy call of the budget. Each endpoint has its cap (answer-bytes.test.ts).
  it("refuses an answer past its endpoint's cap, on the wire or once decoded: a bad response, asked once", async () => {
    const big = Buffer.alloc(answerBytes(ENDPOINTS.meetings) + 1, 0x20);
    for (const zipped of [false, true]) {
      const server = await serve((_r, res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(zipped ? { 'content-encoding': 'gzip' } : {}),
        });
        res.end(zipped ? gzipSync(big) : big);
      });
      const zoom = client(server.url);
      const err = (await zoom.get(ENDPOINTS.meetings).catch((e: unknown) => e)) as ZoomError;
      expect(isZoomError(err, 'ZOOM_BAD_RESPONSE'), String(zipped)).toBe(true);
      expect(err.message).toBe(
        "meetings: Zoom's answer is larger than 1.5 MiB, the most qoswatch reads of a meetings answer: not read, not asked for again",
      );
      expect(server.received).toHaveLength(1);
      expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'bad_response' })).toBe(1);
      expect(zoom.stats.total({ endpoint: 'meetings' })).toBe(1);
    }
  });

  it('follows a redirect to the same host, with the token', async () => {
    const server = await serve((r, res) =>
      r.path.startsWith('/v2/')
        ? void res.writeHead(301, { location: `/moved${r.path}` }).end()
        : json(res, 200, { participants: [], next_page_token: '' }),
    );
    expect(await client(server.url).get(ENDPOINTS.meetingQos, { id: 'm' })).toEqual({
      participants: [],
      next_page_token: '',
    });
    expect(server.received.map((r) => r.path)).toEqual([
      '/v2/metrics/meetings/m/participants/qos',
      '/moved/v2/metrics/meetings/m/participants/qos',
    ]);
    expect(server.received[1]!.headers.authorization).toMatch(/^Bearer /);
  });

  it('does not follow a redirect to another host: the 3xx is an HTTP error, and the other host hears nothing', async () => {
    const elsewhere = await serve((_r, res) => json(res, 200, { participants: [] }));
    const server = await serve(
      (r, res) => void res.writeHead(302, { location: `${elsewhere.url}${r.path}` }).end(),
    );
    const err = (await client(server.url)
      .get(ENDPOINTS.meetingQos, { id: 'm' })
      .catch((e: unknown) => e)) as ZoomError;
    expect(isZoomError(err, 'ZOOM_HTTP_ERROR')).toBe(true);
    expect(err.details.status).toBe(302);
    expect(elsewhere.received).toHaveLength(0);
  });
});
