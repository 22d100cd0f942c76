import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../../src/poll/webhooks/receiver.js';
import { Spool } from '../../../src/poll/webhooks/spool.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { MALFORMED, openRaw, sendRaw } from '../../helpers/raw-connection.js';
import { post, zoomHeaders } from '../../helpers/zoom-webhook.js';

/**
 * Bytes that never become a request (HTTP framing Node's parser refuses) are answered as Node
 * answers them when no one handles `clientError`: 400 (431 for headers past 16 KiB) with
 * `connection: close`, then the connection is closed; each is counted by reason, and the
 * receiver goes on answering. The old handler closed the connection without a word.
 */
const SECRET = 'framing-secret';
const clock = new VirtualClock(Date.parse('2026-12-02T12:00:00Z'));
let receiver: WebhookReceiver;
let spool: Spool;
let base: string;
let port: number;

beforeAll(async () => {
  spool = new Spool(mkdtempSync(join(tmpdir(), 'qw-framing-')));
  receiver = new WebhookReceiver(
    {
      host: '127.0.0.1',
      port: 0,
      apps: [{ name: 'main', path: '/zoom/qss', secretToken: SECRET }],
      maxBodyBytes: 8 * 1024,
      maxAgeMs: 5 * 60_000,
      takeoverAfterMs: 180_000,
    },
    { clock, log: silentLogger(), spool, onRecord: () => undefined },
  );
  base = await receiver.listen();
  port = Number(new URL(base).port);
});
afterAll(async () => {
  await receiver.close();
  await spool.close();
});

const refused = (reason: string): number => receiver.stats.refused.get(reason as never) ?? 0;

describe('malformed HTTP framing sent to the webhook receiver', () => {
  for (const m of MALFORMED)
    it(`${m.what}: answered as Node would, with connection: close, then closed`, async () => {
      const r = await sendRaw(port, m.head('/zoom/qss'));
      expect(r.text).toBe(m.answer);
      expect(m.endings).toContain(r.ended);
    });

  it('CONNECT is answered 405 with Allow: POST and counted as method (outside tester, L2)', async () => {
    const before = refused('method');
    const r = await sendRaw(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(r.text).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\nAllow: POST\r\n/);
    expect(refused('method')).toBe(before + 1);
  });

  it('is counted by reason in qoswatch_webhook_refused_total', () => {
    expect(refused('malformed')).toBe(2);
    expect(refused('headers_too_large')).toBe(1);
  });

  it('a bad chunk inside a request being read: one 400, counted once, as malformed', async () => {
    const before = { bad: refused('bad_request'), malformed: refused('malformed') };
    const c = await openRaw(port);
    c.socket.write(
      'POST /zoom/qss HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"eve\r\nzz\r\n',
    );
    await c.ended;
    expect(c.text()).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    expect(refused('bad_request') - before.bad).toBe(0);
    expect(refused('malformed') - before.malformed).toBe(1);
  });

  it('on a kept-alive connection after an answered request: answered 400 too; the receiver goes on', async () => {
    const c = await openRaw(port);
    c.socket.write('GET /zoom/qss HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await c.until(/\r\n0\r\n\r\n$/);
    c.socket.write(MALFORMED[0]!.head('/zoom/qss'));
    expect(await c.ended).toBe('end');
    expect(c.text()).toMatch(
      /^HTTP\/1\.1 405 [^]*"error":"method"\}\r\n0\r\n\r\nHTTP\/1\.1 400 Bad Request\r\nConnection: close\r\n\r\n$/,
    );
    expect(refused('malformed')).toBe(4);
    const body = JSON.stringify({ event: 'app.other', payload: {} });
    expect(await post(`${base}/zoom/qss`, body, zoomHeaders(SECRET, body, clock.now()))).toEqual({
      status: 200,
      body: '{"status":"ignored"}',
    });
  });
});
