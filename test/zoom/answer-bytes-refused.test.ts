import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { VideoSdkJwt } from '../../src/zoom/auth.js';
import { ZoomClient } from '../../src/zoom/client.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import { TestServer } from '../helpers/http-server.js';
import { T0 } from '../helpers/sim.js';

/**
 * An answer refused is judged on its bytes, against a real server on 127.0.0.1: past its
 * endpoint's bounds (json-count.ts) or not starting as JSON does, it is never made text. It was
 * made text whole first (a flat 30 MB answer: +134 MiB, test/bench/answer-memory.bench.ts).
 * Seen here by the largest UTF-8 decoding of a buffer by Buffer's toString (how capped-body.ts
 * makes an answer text) while the answer is read: an answer taken is decoded whole, one refused
 * is not. (Its utf8Slice, which Node 20's toString calls, is not called by Node 24's.)
 */

type ToString = (this: Buffer, encoding?: BufferEncoding, start?: number, end?: number) => string;
const proto = Buffer.prototype as unknown as { toString: ToString };
const toString = proto.toString;
let largest = 0;
beforeEach(() => {
  largest = 0;
  proto.toString = function (this: Buffer, encoding?: BufferEncoding, start = 0, end = this.length) {
    if (encoding === undefined || /^utf-?8$/i.test(encoding))
      largest = Math.max(largest, Math.min(end, this.length) - start);
    return toString.call(this, encoding, start, end);
  };
});

const servers: TestServer[] = [];
afterEach(async () => {
  proto.toString = toString;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function zoomAnswering(status: number, type: string, body: string): Promise<ZoomClient> {
  const server = new TestServer((_r, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  });
  servers.push(server);
  await server.listen();
  const clock = new VirtualClock(T0);
  return new ZoomClient({
    apiUrl: server.url,
    auth: new VideoSdkJwt('key', 'secret', clock),
    limits: PLAN_DEFAULTS.business,
    dailyShare: 1,
    clock,
    maxRetries: 0,
  });
}

const qos = (zoom: ZoomClient): Promise<unknown> =>
  zoom.get(ENDPOINTS.meetingQos, { id: 'm' }).then(
    () => new Error('not refused'),
    (e: unknown) => e,
  );

const MB = 1_000_000;

describe('an answer refused is never made text', () => {
  it('a QoS page past its bounds (400,000 empty objects in one array, 1.2 MB): refused on its bytes', async () => {
    const body = `{"participants":[${Array(400_000).fill('{}').join(',')}]}`;
    const err = await qos(await zoomAnswering(200, 'application/json', body));
    expect(isZoomError(err, 'ZOOM_BAD_RESPONSE')).toBe(true);
    expect((err as Error).message).toContain(
      "Zoom's answer (HTTP 200) holds an array of more than 1,440 elements",
    );
    expect(largest).toBeLessThan(64 * 1024);
  });

  it("a QoS page that is a proxy's HTML page (3 MB, an image inline; HTTP 200): not JSON, refused on its first bytes", async () => {
    // An inline image: within the bounds (one string), so only its first bytes refuse it.
    const body = `<!DOCTYPE html><html><body><img src="data:image/png;base64,${'A'.repeat(3 * MB)}"></body></html>`;
    const err = await qos(await zoomAnswering(200, 'text/html', body));
    expect(isZoomError(err, 'ZOOM_BAD_RESPONSE')).toBe(true);
    expect((err as Error).message).toBe("meeting_qos: Zoom's answer is not valid JSON");
    expect(largest).toBeLessThan(64 * 1024);
  });

  it("Zoom's example QoS page is taken: made text whole, once", async () => {
    const body = readFileSync(
      fromRoot(
        'test/fixtures/zoom-samples/zoomnet/endpoints/metrics-meetings-{meetingId}-participants-qos_GET.json',
      ),
      'utf8',
    );
    const zoom = await zoomAnswering(200, 'application/json', ` \n${body}`);
    const page = await zoom.get<{ participants: unknown[] }>(ENDPOINTS.meetingQos, { id: 'm' });
    expect(page.participants.length).toBeGreaterThan(0);
    expect(largest).toBe(Buffer.byteLength(body) + 2);
  });
});
