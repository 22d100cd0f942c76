import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import { VirtualClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { fromRoot } from '../../src/util/package-root.js';
import { answerBytes } from '../../src/zoom/answer-bounds.js';
import type { ZoomClient } from '../../src/zoom/client.js';
import { ENDPOINTS, type Endpoint } from '../../src/zoom/endpoints.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { TestServer } from '../helpers/http-server.js';
import { rewrittenQos } from '../helpers/rewritten-qos.js';
import { s2sClient, T0, videoSdkClient } from '../helpers/sim.js';

/**
 * Each endpoint's answer is read to its own cap (answer-bounds.ts answerBytes), against real
 * servers on 127.0.0.1. One cap of 32 MiB for every answer refused Zoom's largest honest QoS
 * page (ten participants' day of samples, 43.6 MB: about 18 hours fit), and read a meetings list
 * page (real ones are under 1 MB) to 32 MiB.
 */

const MIN = 60_000;
const servers: TestServer[] = [];
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(closing.splice(0).map((c) => c()));
});

async function serve(reply: (res: ServerResponse) => void): Promise<TestServer> {
  const server = new TestServer((_r, res) => reply(res));
  servers.push(server);
  await server.listen();
  return server;
}

const sample = (file: string): string =>
  readFileSync(fromRoot('test', 'fixtures', 'zoom-samples', 'zoomnet', 'endpoints', file), 'utf8');

/**
 * A QoS page of `n` participants (user_id u0, u1...) with `minutes` per-minute samples each up to
 * `end`, from Zoom's example (every stream type), compact as Zoom sends it.
 */
function qosPage(n: number, minutes: number, end: number): string {
  const page = JSON.parse(sample('metrics-meetings-{meetingId}-participants-qos_GET.json')) as {
    participants: Record<string, unknown>[];
    next_page_token: string;
  };
  const entry = page.participants[0]!;
  const one = (entry.user_qos as Record<string, unknown>[])[0]!;
  const start = end - minutes * MIN;
  const samples = Array.from({ length: minutes }, (_, k) => ({
    ...one,
    date_time: new Date(start + k * MIN).toISOString().replace('.000', ''),
  }));
  const join = new Date(start - MIN).toISOString().replace('.000', '');
  page.next_page_token = '';
  page.participants = Array.from({ length: n }, (_, i) => ({
    ...entry,
    user_id: `u${i}`,
    join_time: join,
    leave_time: '',
    user_qos: samples,
  }));
  return JSON.stringify(page);
}

/** A meetings list page of `size` bytes: one entry whose topic makes it up. */
const meetingsPage = (size: number): string => {
  const head = '{"page_size":300,"next_page_token":"","meetings":[{"uuid":"m==","topic":"';
  const tail = '"}]}';
  return `${head}${'x'.repeat(size - head.length - tail.length)}${tail}`;
};

async function refusal(zoom: ZoomClient, ep: Endpoint): Promise<Error> {
  const err = await zoom.get(ep, { id: 'm', participantId: 'p' }).then(
    () => new Error('not refused'),
    (e: unknown) => e as Error,
  );
  expect(isZoomError(err, 'ZOOM_BAD_RESPONSE'), err.message).toBe(true);
  return err;
}

describe("Zoom's largest honest answers are read", () => {
  it("a QoS page of ten participants with a day of samples each (43.6 MB, Zoom's example sample) is read whole, every sample normalized", async () => {
    const text = qosPage(10, 1440, T0 + 9 * MIN);
    expect(text.length).toBeGreaterThan(43_000_000);
    const { h, proxy, close } = await rewrittenQos(
      { seed: 'day-page', id: 85200000043, uuid: 'day/page==', userIds: ['300', '301'] },
      () => text,
    );
    closing.push(close);
    const client = s2sClient({ url: proxy.url, clock: h.clock });
    const stats = new NormalizeStats();
    const source = new DashboardSource('meeting', client, h.clock, stats, silentLogger(), 30 * MIN);
    const [live] = (await source.discover()).live;
    const result = await source.poll(live!);
    expect(result.present.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `u${i}`).sort());
    expect(result.samples).toHaveLength(10 * 1440);
    expect(stats.samplesInvalid).toBe(0);
    expect(client.stats.total({ endpoint: 'meeting_qos', outcome: 'ok' })).toBe(1);
  }, 60_000);

  it("each endpoint's cap holds its largest honest answer, and the caps are what docs/zoom-client.md says", () => {
    // Ten participants' day of Zoom's example sample; one participant's 30 hours (inspect).
    expect(qosPage(10, 1440, T0).length).toBeLessThan(answerBytes(ENDPOINTS.meetingQos));
    const one = qosPage(1, 1800, T0).length;
    expect(one).toBeLessThan(answerBytes(ENDPOINTS.meetingParticipantQos));
    // 300 entries of Zoom's largest list example (a participants entry), each almost three times as long.
    const entry = JSON.stringify(
      (
        JSON.parse(sample('metrics-meetings-{meetingId}-participants_GET.json')) as {
          participants: unknown[];
        }
      ).participants[0],
    );
    expect(300 * entry.length * 2.9).toBeLessThan(answerBytes(ENDPOINTS.meetingParticipants));
    const mib = (ep: Endpoint): number => Math.round((answerBytes(ep) / 1048576) * 10) / 10;
    expect([ENDPOINTS.meetingQos, ENDPOINTS.meetingParticipantQos, ENDPOINTS.meetings].map(mib)).toEqual([
      56.3, 7.1, 1.5,
    ]);
  });
});

describe('an answer past its endpoint\'s cap is refused: "bad_response", asked once, the rest unread', () => {
  it('a meetings list page of 2 MB, its length declared: refused before its body is read', async () => {
    const body = meetingsPage(2_000_000);
    // It sends a part, and the rest only when told: the old code waited for it.
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.write(body.slice(0, 1024));
    });
    const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
    const err = await refusal(zoom, ENDPOINTS.meetings);
    expect(err.message).toBe(
      "meetings: Zoom's answer is larger than 1.5 MiB, the most qoswatch reads of a meetings answer: not read, not asked for again",
    );
    expect(server.received).toHaveLength(1);
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'bad_response' })).toBe(1);
    expect(zoom.stats.total({ endpoint: 'meetings' })).toBe(1);
  });

  it('a participants page sent without a length, as long as the server can: read to its cap, then the connection closed', async () => {
    let written = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const more = (): void => {
        while (!closed && written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('close', () => (closed = true));
      more();
    });
    const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
    const err = await refusal(zoom, ENDPOINTS.meetingParticipants);
    expect(err.message).toContain("Zoom's answer is larger than 1.5 MiB");
    await expect.poll(() => closed).toBe(true);
    // The old code read 32 MiB of it; socket buffers hold a few MB more than the client read.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    expect(zoom.stats.total({ endpoint: 'meeting_participants', outcome: 'bad_response' })).toBe(1);
  });

  it('a QoS page whose gzip body is small but decodes past its cap (56.3 MiB)', async () => {
    const zipped = gzipSync(Buffer.alloc(answerBytes(ENDPOINTS.meetingQos) + 1, 0x20));
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zipped);
    });
    const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
    const err = await refusal(zoom, ENDPOINTS.meetingQos);
    expect(err.message).toBe(
      "meeting_qos: Zoom's answer is larger than 56.3 MiB, the most qoswatch reads of a meeting_qos answer: not read, not asked for again",
    );
    expect(server.received).toHaveLength(1);
  });

  it("one participant's QoS answer past 7.1 MiB (inspect), a meeting's details past 21 KiB", async () => {
    for (const [ep, size, words] of [
      [ENDPOINTS.meetingParticipantQos, answerBytes(ENDPOINTS.meetingParticipantQos) + 1, '7.1 MiB'],
      [ENDPOINTS.meetingDetails, 30_000, '21 KiB'],
    ] as const) {
      const server = await serve((res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"topic":"${'x'.repeat(size)}"}`);
      });
      const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
      expect((await refusal(zoom, ep)).message).toContain(`larger than ${words}, the most`);
    }
  });
});

describe("an error answer past its endpoint's cap is read by its status, not refused for its size", () => {
  // A proxy's error page of megabytes (Zoom's own error bodies are a few hundred bytes of JSON):
  // its body is as if empty. It was `bad_response`, not asked for again, a 503 and a 429 alike.
  const page = `<html><body>${'x'.repeat(2_000_000)}</body></html>`;

  it('a 502 of 2 MB on a meetings list (1.5 MiB cap): a server error, retried', async () => {
    let calls = 0;
    const server = await serve((res) => {
      if (calls++ > 0) return void res.end('{"page_size":300,"next_page_token":"","meetings":[]}');
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end(page);
    });
    const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
    await expect(zoom.get(ENDPOINTS.meetings, {})).resolves.toMatchObject({ meetings: [] });
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'server_error' })).toBe(1);
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'ok' })).toBe(1);
  });

  it('a 429 of 2 MB, its length declared: waits as its Retry-After says, then asks again', async () => {
    let calls = 0;
    const server = await serve((res) => {
      if (calls++ > 0) return void res.end('{"page_size":300,"next_page_token":"","meetings":[]}');
      res.writeHead(429, { 'content-type': 'text/html', 'retry-after': '2', 'content-length': page.length });
      res.end(page);
    });
    const clock = new VirtualClock(T0);
    const zoom = videoSdkClient({ url: server.url, clock });
    await expect(zoom.get(ENDPOINTS.meetings, {})).resolves.toMatchObject({ meetings: [] });
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'rate_limited' })).toBe(1);
    expect(clock.now() - T0).toBeGreaterThanOrEqual(2000);
  });
});
