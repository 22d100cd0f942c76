import type { Agent } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '../../src/export/http-server.js';
import { answerClientError } from '../../src/util/client-error.js';
import {
  keptAliveRefusal,
  keptAliveRequest,
  MALFORMED,
  openRaw,
  sendRaw,
  uploadPastAnswer,
  type KeptAliveReply,
} from '../helpers/raw-connection.js';

/**
 * The metrics endpoint (`metrics.listen`) answers 413 to a declared body over 16 KiB, as the
 * webhook receiver does over its limit (test/poll/webhooks/oversized-keepalive.test.ts). The
 * answer must reach the client whole and say `connection: close`, so that a keep-alive client
 * does not send its next request on a connection about to close; the connection must end with a
 * FIN once the rest of the body is read (up to a bound), not a reset that can destroy the answer.
 */
const LIMIT = 16 * 1024;
let server: HttpServer;
let port: number;

beforeAll(async () => {
  server = new HttpServer({ '/metrics': () => ({ status: 200, body: 'up 1\n' }) });
  port = Number(new URL(await server.listen(0, '127.0.0.1')).port);
});
afterAll(async () => server.close());

const head = (length: number): string =>
  `POST /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Length: ${length}\r\n\r\n`;

/** A whole 413 answer: its headers and the body its content-length announces. */
const WHOLE_413 =
  /^HTTP\/1\.1 413 [^\r]*\r\n(?:[^\r]*\r\n)*?content-length: (\d+)\r\n(?:[^\r]*\r\n)*\r\nrequest too large\n$/i;

/** A request through node:http with a keep-alive client's pool. */
const call = (agent: Agent, method: string, payload?: string): Promise<KeptAliveReply> =>
  keptAliveRequest({ host: '127.0.0.1', port, path: '/metrics', method, agent }, payload);

describe('a declared body over 16 KiB on a kept-alive connection to the metrics endpoint', () => {
  it('is answered 413 whole with connection: close; the rest of the body is read, then the connection ends with a FIN', async () => {
    const r = await uploadPastAnswer(port, head(LIMIT + 4000), LIMIT + 4000, /request too large\n/);
    expect(r.before).toMatch(WHOLE_413);
    expect(r.before).toMatch(/\r\nconnection: close\r\n/i);
    expect(r.ended).toBe('end');
    expect(r.text).toMatch(WHOLE_413);
  });

  it('does not wait for a declared remainder past the drain bound: the 413 is sent and the connection closed', async () => {
    const c = await openRaw(port);
    c.socket.write(head(1_000_000_000) + 'z'.repeat(1000));
    await c.until(/request too large\n/);
    expect(c.text()).toMatch(WHOLE_413);
    expect(c.text()).toMatch(/\r\nconnection: close\r\n/i);
    expect(await c.ended).toBe('end');
    c.socket.destroy();
  });

  it('a keep-alive client reads the 413 in full and its next request gets 200 on a new connection', async () => {
    const r = await keptAliveRefusal(
      (agent, big) => call(agent, big ? 'POST' : 'GET', big),
      'x'.repeat(LIMIT + 1),
    );
    expect(r.first.status).toBe(200);
    expect(r.refused).toEqual({
      status: 413,
      reused: true,
      text: 'request too large\n',
      connection: 'close',
    });
    expect(r.next).toMatchObject({ status: 200, text: 'up 1\n', reused: false });
  });
});

/**
 * Bad HTTP framing is answered as the webhook receiver answers it
 * (test/poll/webhooks/malformed-framing.test.ts), through the same handler: 400 (431, 408) with
 * `connection: close`, then the connection is closed.
 */
/** answerClientError on the server side of a real connection, given `code`: what the client read. */
async function answered(code: string): Promise<{ refusal: string | undefined; text: string; ended: string }> {
  let refusal: string | undefined;
  const raw = createServer((socket: Socket) => {
    refusal = answerClientError(Object.assign(new Error(code), { code }), socket);
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  try {
    const { text, ended } = await sendRaw((raw.address() as { port: number }).port, '');
    return { refusal, text, ended };
  } finally {
    raw.close();
  }
}

describe('malformed HTTP framing sent to the metrics endpoint', () => {
  for (const m of MALFORMED)
    it(`${m.what}: answered with connection: close, then closed`, async () => {
      const r = await sendRaw(port, m.head('/metrics'));
      expect(r.text).toBe(m.answer);
      expect(m.endings).toContain(r.ended);
    });

  it('a request timeout is answered 408; a connection reset is not answered', async () => {
    expect(await answered('ERR_HTTP_REQUEST_TIMEOUT')).toEqual({
      refusal: 'request_timeout',
      text: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
      ended: 'end',
    });
    expect(await answered('ECONNRESET')).toEqual({ refusal: undefined, text: '', ended: 'end' });
  });
});
