import { mkdtempSync, readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver, type WebhooksSettings } from '../../../src/poll/webhooks/receiver.js';
import { Spool } from '../../../src/poll/webhooks/spool.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { fromRoot } from '../../../src/util/package-root.js';
import { zoomHeaders } from '../../helpers/zoom-webhook.js';
import {
  keptAliveRefusal,
  keptAliveRequest,
  openRaw,
  uploadPastAnswer,
  type KeptAliveReply,
} from '../../helpers/raw-connection.js';

/**
 * A body over the limit is answered 413 while the client may still be sending it. The answer
 * must reach the client whole, say `connection: close` (so a keep-alive client does not send its
 * next request on a connection the receiver is about to close), and the connection must end
 * with a FIN once the rest of the body is read, not a reset that can destroy the answer.
 */
const SECRET = 'qss-secret-token-1';
const LIMIT = 8 * 1024;
const clock = new VirtualClock(Date.parse('2026-12-01T12:00:00Z'));
const body = readFileSync(
  fromRoot('test', 'fixtures', 'zoom-webhooks', 'meeting.participant_qos.json'),
  'utf8',
);
let receiver: WebhookReceiver;
let spool: Spool;
let port: number;

const settings: WebhooksSettings = {
  host: '127.0.0.1',
  port: 0,
  apps: [{ name: 'main', path: '/zoom/qss', secretToken: SECRET }],
  maxBodyBytes: LIMIT,
  maxAgeMs: 5 * 60_000,
  takeoverAfterMs: 180_000,
};

beforeAll(async () => {
  spool = new Spool(mkdtempSync(join(tmpdir(), 'qw-spool-')));
  receiver = new WebhookReceiver(settings, { clock, log: silentLogger(), spool, onRecord: () => undefined });
  port = Number(new URL(await receiver.listen()).port);
});
afterAll(async () => {
  await receiver.close();
  await spool.close();
});

const head = (extra: string): string =>
  `POST /zoom/qss HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Type: application/json\r\n${extra}\r\n`;

/** A whole 413 answer: its headers and the body its content-length announces. */
const WHOLE_413 =
  /^HTTP\/1\.1 413 [^\r]*\r\n(?:[^\r]*\r\n)*?content-length: (\d+)\r\n(?:[^\r]*\r\n)*\r\n\{"error":"too_large"\}$/i;

/** A signed POST through node:http (with `agent`, a keep-alive client's pool). */
function signedPost(agent?: Agent, payload = body): Promise<KeptAliveReply> {
  // A new timestamp each time: a new signature, not a replay (the same body is a redelivery: 200).
  clock.advance(1000);
  return keptAliveRequest(
    {
      host: '127.0.0.1',
      port,
      path: '/zoom/qss',
      method: 'POST',
      ...(agent ? { agent } : {}),
      headers: zoomHeaders(SECRET, payload, clock.now()),
    },
    payload,
  );
}

describe('a body over the limit on a kept-alive connection', () => {
  it('is answered 413 whole with connection: close; the rest of the body is read, then the connection ends with a FIN', async () => {
    const declared = LIMIT + 4000;
    // The headers and a first part of the body; the rest is sent once the 413 is read (a client
    // still uploading): the receiver reads it, then closes cleanly.
    const r = await uploadPastAnswer(
      port,
      head(`Content-Length: ${declared}\r\n`),
      declared,
      /\{"error":"too_large"\}/,
    );
    expect(r.before).toMatch(WHOLE_413);
    expect(r.before).toMatch(/\r\nconnection: close\r\n/i);
    expect(r.ended).toBe('end');
    expect(r.text).toMatch(WHOLE_413);
    // The client's next request, on a new connection as `connection: close` asks: accepted.
    expect((await signedPost()).status).toBe(200);
  });

  it('is answered the same when the body declares no length (chunked) and grows past the limit', async () => {
    const c = await openRaw(port);
    const chunk = (s: string): string => `${s.length.toString(16)}\r\n${s}\r\n`;
    c.socket.write(head('Transfer-Encoding: chunked\r\n') + chunk('y'.repeat(LIMIT + 100)));
    await c.until(/\{"error":"too_large"\}/);
    expect(c.text()).toMatch(WHOLE_413);
    expect(c.text()).toMatch(/\r\nconnection: close\r\n/i);
    c.socket.write(chunk('y'.repeat(5000)) + '0\r\n\r\n');
    expect(await c.ended).toBe('end');
    c.socket.destroy();
  });

  it('does not wait for a declared remainder past the drain bound: the 413 is sent and the connection closed', async () => {
    const c = await openRaw(port);
    c.socket.write(head('Content-Length: 1000000000\r\n') + 'z'.repeat(1000));
    await c.until(/\{"error":"too_large"\}/);
    expect(c.text()).toMatch(WHOLE_413);
    expect(c.text()).toMatch(/\r\nconnection: close\r\n/i);
    // Closed by the receiver without the client sending more.
    expect(await c.ended).toBe('end');
    c.socket.destroy();
  });

  it('a keep-alive client reads the 413 in full and its next request gets 200 on a new connection', async () => {
    // The first request leaves the connection kept alive, so the 413 goes over a reused socket.
    const r = await keptAliveRefusal((agent, big) => signedPost(agent, big), 'x'.repeat(LIMIT + 1));
    expect(r.first.status).toBe(200);
    expect(r.refused).toEqual({
      status: 413,
      reused: true,
      text: '{"error":"too_large"}',
      connection: 'close',
    });
    expect(r.next).toMatchObject({ status: 200, reused: false });
  });
});
