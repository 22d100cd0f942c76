import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../../src/zoom/http.js';
import { freePort } from '../helpers/ports.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

/** A local HTTP server answering every request with `handler`; its sockets are counted. */
async function serve(handler: RequestListener): Promise<{ url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  server = createServer(handler);
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

const get = (url: string, timeoutMs = 2_000, signal?: AbortSignal): ReturnType<typeof request> =>
  request(url, {
    method: 'GET',
    headers: { accept: 'application/json' },
    timeoutMs,
    ...(signal ? { signal } : {}),
  });

describe("Zoom's HTTP requests (node:http, not fetch)", () => {
  it('read a compressed answer as its text, whichever encoding Zoom chose, and its headers', async () => {
    const body = JSON.stringify({
      participants: Array.from({ length: 200 }, (_, i) => ({ user_id: `${i}`, name: 'Zoë' })),
    });
    const encode = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync } as const;
    const { url } = await serve((req, res) => {
      const which = req.url!.slice(1) as keyof typeof encode | '';
      expect(req.headers['accept-encoding']).toBe('gzip, deflate, br');
      res.setHeader('x-ratelimit-remaining', '7');
      if (which) res.setHeader('content-encoding', which);
      res.end(which ? encode[which](body) : body);
    });
    for (const which of ['', 'gzip', 'deflate', 'br']) {
      const a = await get(`${url}/${which}`);
      expect(a.status, which).toBe(200);
      expect(a.ok).toBe(true);
      expect(a.text, which).toBe(body);
      expect(a.headers.get('X-RateLimit-Remaining')).toBe('7');
      expect(a.headers.get('retry-after')).toBeNull();
    }
  });

  it('post a form, and answer with any status (no error thrown for a 4xx)', async () => {
    const { url } = await serve((req, res) => {
      let got = '';
      req.on('data', (c: Buffer) => (got += c.toString()));
      req.on('end', () => {
        res.statusCode = 401;
        res.end(JSON.stringify({ type: req.headers['content-type'], got, auth: req.headers.authorization }));
      });
    });
    const a = await request(url, {
      method: 'POST',
      form: new URLSearchParams({ grant_type: 'account_credentials', account_id: 'a b' }),
      headers: { authorization: 'Basic x' },
      timeoutMs: 2_000,
    });
    expect(a.status).toBe(401);
    expect(a.ok).toBe(false);
    expect(JSON.parse(a.text)).toEqual({
      type: 'application/x-www-form-urlencoded;charset=UTF-8',
      got: 'grant_type=account_credentials&account_id=a+b',
      auth: 'Basic x',
    });
  });

  it('keep the connection alive from one call to the next', async () => {
    const { url, sockets } = await serve((_, res) => res.end('{}'));
    for (let i = 0; i < 3; i++) expect((await get(url)).text).toBe('{}');
    expect(sockets.size).toBe(1);
  });

  it('fail with the system error as the cause when nobody listens', async () => {
    const port = await freePort();
    const err = (await get(`http://127.0.0.1:${port}/`).catch((e: unknown) => e)) as Error;
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('time out as a TimeoutError, while waiting for the answer and while its body stalls', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/body') {
        res.setHeader('content-length', '100');
        res.write('{"partial":');
      }
    });
    for (const path of ['/', '/body']) {
      const started = Date.now();
      const err = (await get(url + path, 150).catch((e: unknown) => e)) as Error;
      expect(err.name, path).toBe('TimeoutError');
      expect(Date.now() - started).toBeLessThan(1_500);
    }
  });

  it("read a body cut short as empty, and reject with the signal's reason when aborted", async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/cut') {
        res.setHeader('content-length', '100');
        res.write('{"partial":', () => res.destroy());
      }
    });
    const cut = await get(`${url}/cut`);
    expect(cut).toMatchObject({ status: 200, text: '' });
    const stop = new AbortController();
    const pending = get(url, 5_000, stop.signal).catch((e: unknown) => e);
    stop.abort(new Error('stopping'));
    expect(((await pending) as Error).message).toBe('stopping');
    const before = new AbortController();
    before.abort();
    expect(((await get(url, 5_000, before.signal).catch((e: unknown) => e)) as Error).name).toBe(
      'AbortError',
    );
  });
});
