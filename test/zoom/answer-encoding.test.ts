import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import { AnswerNotDecoded, AnswerPastCap, unreadAnswer } from '../../src/zoom/capped-body.js';
import { ENDPOINTS } from '../../src/zoom/endpoints.js';
import { isZoomError } from '../../src/zoom/errors.js';
import { TestServer } from '../helpers/http-server.js';
import { s2sClient, T0, videoSdkClient } from '../helpers/sim.js';

/**
 * An answer qoswatch cannot decode, from a real server on 127.0.0.1 (a proxy or CDN in front of
 * Zoom may send one): refused as a bad answer, counted, not asked for again, and the process
 * goes on. An encoding it does not read (`zstd`) destroyed the body with no 'error' listener on
 * it: the abort came back as an unhandled 'error' event and ended the daemon at its first
 * discovery, at every restart (hT43b, after db52dbb); on the token endpoint too. A body that says
 * gzip and is not was a "network error (Z_DATA_ERROR)", asked for five times.
 */

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(reply: (path: string, res: ServerResponse) => void): Promise<TestServer> {
  const server = new TestServer((r, res) => reply(r.path, res));
  servers.push(server);
  await server.listen();
  return server;
}

const encoded = (encoding: string, body: string | Buffer) => (_path: string, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
  res.end(body);
};

async function refusal(run: () => Promise<unknown>): Promise<Error> {
  const err = await run().then(
    () => new Error('not refused'),
    (e: unknown) => e as Error,
  );
  expect(isZoomError(err, 'ZOOM_BAD_RESPONSE'), err.message).toBe(true);
  return err;
}

describe('an answer in an encoding qoswatch cannot decode: a bad answer, never a crash', () => {
  it.each([
    ['zstd', '{}', '"zstd"'],
    // A hostile header: cut to 40 characters and escaped in the message.
    [`zstd\t${'X'.repeat(200)}`, '{"meetings":[]}', `"zstd\\t${'X'.repeat(35)}"`],
  ])(
    'a meetings list in content-encoding %j: refused, counted once, not asked again',
    async (enc, body, quoted) => {
      const server = await serve(encoded(enc, body));
      const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
      const err = await refusal(() => zoom.get(ENDPOINTS.meetings, {}));
      expect(err.message).toBe(
        `meetings: Zoom's answer is in content-encoding ${quoted}, which qoswatch does not read (it asks for gzip or deflate): not read, not asked for again`,
      );
      expect(server.received).toHaveLength(1);
      expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'bad_response' })).toBe(1);
      expect(zoom.stats.total({ endpoint: 'meetings' })).toBe(1);
    },
  );

  it('a body that says gzip and is not: a bad answer, not a network error asked for five times', async () => {
    const server = await serve(encoded('gzip', 'this is not gzip at all'));
    const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
    const err = await refusal(() => zoom.get(ENDPOINTS.meetings, {}));
    expect(err.message).toBe(
      "meetings: Zoom's answer says content-encoding gzip and is not: not decoded: not read, not asked for again",
    );
    expect(server.received).toHaveLength(1);
  });

  it('the token endpoint answering in content-encoding compress: refused without a word of it; a good answer next is taken', async () => {
    let bad = true;
    const server = await serve((path, res) => {
      if (path.startsWith('/oauth/token') && bad)
        return encoded('compress', '{"access_token":"s3cr3t-tok"}')(path, res);
      if (path.startsWith('/oauth/token')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"access_token":"tok","token_type":"bearer","expires_in":3600}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"page_size":30,"next_page_token":"","meetings":[]}');
    });
    const zoom = s2sClient({ url: server.url, clock: new VirtualClock(T0) }, { maxRetries: 0 }, 's3cr3t');
    const err = await refusal(() => zoom.get(ENDPOINTS.meetings, {}));
    expect(err.message).toMatch(
      /^Zoom's token endpoint's answer is in content-encoding "compress", which qoswatch does not read \(it asks for gzip or deflate\); the daemon asks again/,
    );
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain('s3cr3t');
    bad = false;
    expect(await zoom.get(ENDPOINTS.meetings, {})).toMatchObject({ meetings: [] });
  });
});

describe('an answer not read, past its cap or not decoded: one helper finds either', () => {
  it('as the error, or the cause of a failed fetch; any other error is none', () => {
    const cap = new AnswerPastCap(1024);
    const undecoded = new AnswerNotDecoded('is in content-encoding "zstd"');
    expect(unreadAnswer(cap)).toBe(cap);
    expect(unreadAnswer(new TypeError('fetch failed', { cause: undecoded }))).toBe(undecoded);
    expect(unreadAnswer(new TypeError('fetch failed', { cause: cap }))).toBe(cap);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    for (const other of [new TypeError('fetch failed', { cause: reset }), reset, undefined, 'x'])
      expect(unreadAnswer(other)).toBeUndefined();
  });

  it('a 503 in content-encoding zstd is a server error, retried, not an answer refused', async () => {
    let calls = 0;
    const server = await serve((_path, res) => {
      if (calls++ > 0) return void res.end('{"page_size":30,"next_page_token":"","meetings":[]}');
      res.writeHead(503, { 'content-type': 'application/json', 'content-encoding': 'zstd' });
      res.end('(zstd bytes)');
    });
    const zoom = videoSdkClient({ url: server.url, clock: new VirtualClock(T0) });
    expect(await zoom.get(ENDPOINTS.meetings, {})).toMatchObject({ meetings: [] });
    expect(zoom.stats.total({ endpoint: 'meetings', outcome: 'server_error' })).toBe(1);
    expect(server.received).toHaveLength(2);
  });
});
