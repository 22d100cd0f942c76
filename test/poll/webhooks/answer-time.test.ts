import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookReceiver, type WebhooksSettings } from '../../../src/poll/webhooks/receiver.js';
import { Spool } from '../../../src/poll/webhooks/spool.js';
import { VirtualClock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { fromRoot } from '../../../src/util/package-root.js';
import { openRaw } from '../../helpers/raw-connection.js';
import { zoomHeaders } from '../../helpers/zoom-webhook.js';

/**
 * `qoswatch_webhook_answer_seconds` (the receiver's observeAnswer) times a connection's first
 * request from the connection's accept, so that the time a request waited to be read under load
 * shows; a kept-alive connection's next requests from when Node read them (the time between two
 * requests is the client's, not the receiver's). The clock is a VirtualClock moved by the test:
 * "waiting" is the clock moving between the accept and the request, with real sockets.
 */
const SECRET = 'answer-time-secret';
const settings = (tls?: WebhooksSettings['tls']): WebhooksSettings => ({
  host: '127.0.0.1',
  port: 0,
  ...(tls ? { tls } : {}),
  apps: [{ name: 'main', path: '/zoom/qss', secretToken: SECRET }],
  maxBodyBytes: 8 * 1024,
  maxAgeMs: 5 * 60_000,
  takeoverAfterMs: 180_000,
});

let clock: VirtualClock;
let receiver: WebhookReceiver | undefined;
let spool: Spool | undefined;
afterEach(async () => {
  await receiver?.close();
  await spool?.close();
});

/** A receiver on a VirtualClock; every answer time it observes lands in the array returned. */
async function start(tls?: WebhooksSettings['tls']): Promise<{ port: number; answers: number[] }> {
  clock = new VirtualClock(Date.parse('2026-12-02T12:00:00Z'));
  spool = new Spool(mkdtempSync(join(tmpdir(), 'qw-answer-time-')));
  const answers: number[] = [];
  receiver = new WebhookReceiver(settings(tls), {
    clock,
    log: silentLogger(),
    spool,
    onRecord: () => undefined,
    observeAnswer: (ms) => answers.push(ms),
  });
  return { port: Number(new URL(await receiver.listen()).port), answers };
}

/** A signed QoS event as raw HTTP/1.1, kept alive, signed at the clock's now. */
function qosRequest(n: number): string {
  const body = JSON.stringify({
    event: 'meeting.participant_qos',
    event_ts: clock.now(),
    payload: { account_id: 'a', object: { uuid: `u${n}==`, participant: { user_id: String(n), qos: [] } } },
  });
  const headers = Object.entries(zoomHeaders(SECRET, body, clock.now()))
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `POST /zoom/qss HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`;
}

const ACCEPTED = /"status":"accepted"/;
const answered = (text: string): number => text.split('"status":"accepted"').length - 1;

describe('the answer time of a webhook request', () => {
  it("starts at the connection's accept for its first request, at its read for the next on the connection", async () => {
    const { port, answers } = await start();
    const a = await openRaw(port);
    // A second connection, opened after the first and answered: by then the first is accepted
    // (the kernel's accept queue is first in, first out), so its accept is at the clock's start.
    const b = await openRaw(port);
    b.socket.write(qosRequest(0));
    await b.until(ACCEPTED);
    expect(answers).toEqual([0]);

    // The first request on `a` comes (is read) 2 s after its accept: all of it is answer time.
    clock.advance(2000);
    a.socket.write(qosRequest(1));
    await a.until(ACCEPTED);
    expect(answers).toEqual([0, 2000]);

    // The connection then idles 5 s, kept alive: the next request's time starts when it is read.
    clock.advance(5000);
    a.socket.write(qosRequest(2));
    await a.until(/("status":"accepted"[^]*){2}/);
    expect(answered(a.text())).toBe(2);
    expect(answers).toEqual([0, 2000, 0]);
    a.socket.destroy();
    b.socket.destroy();
  });

  it('over TLS, starts at the TCP accept: the handshake is answer time too', async () => {
    const { port, answers } = await start({
      certFile: fromRoot('test', 'fixtures', 'tls', 'cert.pem'),
      keyFile: fromRoot('test', 'fixtures', 'tls', 'key.pem'),
    });
    const ca = readFileSync(fromRoot('test', 'fixtures', 'tls', 'cert.pem'));
    const socket = connectTls({
      port,
      host: '127.0.0.1',
      ca,
      servername: 'localhost',
      rejectUnauthorized: false,
    });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (text += c));
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    // The handshake is done, so the server accepted the connection before the clock moves.
    clock.advance(1500);
    socket.write(qosRequest(3));
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (ACCEPTED.test(text)) resolve();
        else socket.once('data', check);
      };
      check();
    });
    expect(answers).toEqual([1500]);
    socket.destroy();
  });
});
