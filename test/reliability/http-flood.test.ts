import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { HttpServer, type WebOptions } from '../../src/export/http-server.js';
import { WebhookReceiver } from '../../src/poll/webhooks/receiver.js';
import { Spool } from '../../src/poll/webhooks/spool.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { silentLogger } from '../../src/util/logger.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { startDefaultScenario, type SimHarness } from '../helpers/sim.js';

/**
 * Clients that send requests and do not read the answers (outside tester hT43, F1): 4
 * connections each writing 5,000 `GET /metrics` at once took the daemon from 78 MB to 1.5-1.8 GB
 * and left /healthz dead for 40 s, since Node runs the handler of every pipelined request it
 * parses before the first is answered. Here, on real sockets: what the server does (handlers
 * run, connections open, bytes buffered) stays bounded, and /healthz answers meanwhile.
 */

/** Larger than what the kernel's socket buffers on loopback take in: its answer stays unsent. */
const BIG = Buffer.alloc(32 << 20, 97);
const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

/** Yields to the event loop until `cond` holds: bounded by a count of turns, not by time. */
async function until(cond: () => boolean, turns = 200_000): Promise<void> {
  for (let i = 0; i < turns && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

/** A connection that writes `text` and reads nothing (until `resume()`). */
function unread(port: number, text: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.pause();
    s.on('error', () => undefined);
    s.once('connect', () => {
      s.write(text);
      resolve(s);
    });
    s.once('error', reject);
  });
}

function healthz(port: number, path = '/healthz'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the HTTP endpoint against clients that do not read', () => {
  let server: HttpServer;
  let port: number;
  let calls = 0;
  const sockets: Socket[] = [];

  async function serve(web: WebOptions = {}): Promise<void> {
    calls = 0;
    server = new HttpServer(
      {
        '/big': () => (calls++, { status: 200, body: [BIG] }),
        '/healthz': () => ({ status: 200, body: 'ok\n' }),
      },
      web,
    );
    port = Number(new URL(await server.listen(0, '127.0.0.1')).port);
  }
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    vi.useRealTimers();
    await server.close();
  });

  it('answers pipelined requests one at a time: the next handler runs once the answer before it is sent', async () => {
    await serve();
    const s = await unread(port, GET('/big').repeat(5));
    sockets.push(s);
    await until(() => calls > 0);
    // Another client is answered meanwhile; by then Node has read the five.
    expect(await healthz(port)).toBe(200);
    expect(calls).toBe(1); // was 5: every pipelined request's answer made and held at once
    expect(server.connections.waiting).toBe(4);
    // Read: each answer comes, in order, each made when its turn came.
    let got = 0;
    s.on('data', (c: Buffer) => (got += c.length));
    s.resume();
    await until(() => got >= 5 * BIG.length);
    expect(calls).toBe(5);
  });

  it('over TLS too: one handler at a time on a connection', async () => {
    const tls = {
      certFile: fromRoot('test', 'fixtures', 'tls', 'cert.pem'),
      keyFile: fromRoot('test', 'fixtures', 'tls', 'key.pem'),
    };
    await serve({ tls });
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    s.on('error', () => undefined);
    sockets.push(s);
    await new Promise((r) => s.once('secureConnect', r));
    s.pause();
    s.write(GET('/big').repeat(5));
    await until(() => server.connections.waiting === 4);
    expect(calls).toBe(1);
    expect(server.connections.buffered).toBeGreaterThan(0);
  });

  it(`closes a connection with more than maxPipelined requests waiting; /healthz answers meanwhile`, async () => {
    await serve({ limits: { maxPipelined: 4 } });
    const s = await unread(port, GET('/big').repeat(1_000));
    sockets.push(s);
    expect(await healthz(port)).toBe(200);
    expect(calls).toBeLessThanOrEqual(1); // was 1,000
    expect(server.connections.closed.pipelined).toBe(1);
    // The client sees it closed once it reads.
    const closed = new Promise((r) => s.once('close', r));
    s.resume();
    await closed;
  });

  it('keeps at most maxConnections open, closing the oldest idle or unread first; a new client is answered', async () => {
    await serve({ limits: { maxConnections: 8 } });
    for (let i = 0; i < 20; i++) sockets.push(await unread(port, GET('/big')));
    expect(await healthz(port)).toBe(200);
    const c = server.connections;
    expect(c.open).toBeLessThanOrEqual(8);
    expect(c.closed.evicted).toBe(21 - 8);
    // What they hold: at most one answer each, of those still open.
    expect(c.buffered).toBeLessThanOrEqual(8 * BIG.length);
    for (const s of sockets) s.resume();
    await until(() => sockets.filter((s) => s.destroyed).length === 13);
  });

  it('closes a connection whose answer is not taken within flushMs (a client that never reads)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await serve({ limits: { flushMs: 30_000 } });
    const s = await unread(port, GET('/big'));
    sockets.push(s);
    await until(() => server.connections.buffered > 0);
    vi.advanceTimersByTime(29_999);
    expect(server.connections).toMatchObject({ open: 1, closed: { stalled: 0 } });
    vi.advanceTimersByTime(1);
    await until(() => server.connections.open === 0);
    expect(server.connections).toMatchObject({ buffered: 0, closed: { stalled: 1 } });
  });
});

describe('the webhook receiver against a pipelining client', () => {
  let receiver: WebhookReceiver;
  let spool: Spool;
  let port: number;
  beforeAll(async () => {
    spool = new Spool(mkdtempSync(join(tmpdir(), 'qw-flood-')));
    receiver = new WebhookReceiver(
      {
        host: '127.0.0.1',
        port: 0,
        apps: [{ name: 'main', path: '/zoom/qss', secretToken: 'flood-secret' }],
        maxBodyBytes: 8 * 1024,
        maxAgeMs: 5 * 60_000,
        takeoverAfterMs: 180_000,
      },
      { clock: new VirtualClock(0), log: silentLogger(), spool, onRecord: () => undefined },
    );
    port = Number(new URL(await receiver.listen()).port);
  });
  afterAll(async () => {
    await receiver.close();
    await spool.close();
  });

  it('answers one request at a time, and closes a connection that takes no answer for 10 s (was: held for good)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const post = 'POST /zoom/qss HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}';
    const s = await unread(port, post.repeat(20_000));
    // Answered (401) until the socket's buffers are full: then one answer waits, unsent.
    await until(() => receiver.connections.buffered > 0);
    expect(receiver.connections.waiting).toBeLessThanOrEqual(16);
    const refused = receiver.stats.refused.get('no_signature')!;
    expect(refused).toBeLessThan(20_000);
    vi.advanceTimersByTime(9_999);
    expect(receiver.connections.open).toBe(1);
    vi.advanceTimersByTime(1);
    await until(() => receiver.connections.open === 0);
    vi.useRealTimers();
    expect(receiver.connections.closed.stalled).toBe(1);
    expect(receiver.stats.refused.get('no_signature')).toBe(refused);
    s.destroy();
  });
});

describe('the daemon on metrics.listen, flooded with scrapes', () => {
  let h: SimHarness;
  let daemon: Daemon;
  let port: number;
  beforeAll(async () => {
    h = await startDefaultScenario();
    ({ daemon } = daemonFor(h, (c) => {
      c.webhooks = {
        host: '127.0.0.1',
        port: 0,
        apps: [{ name: 'qss', path: '/zoom/qss', secretToken: 'flood-secret-token-of-22+' }],
        maxBodyBytes: 65_536,
        maxAgeMs: 5 * 60_000,
        takeoverAfterMs: 180_000,
      };
    }));
    await runUntil(daemon, h, h.clock.now() + 6 * 60_000);
    port = Number(new URL(await daemon.listen(0)).port);
  });
  afterAll(async () => {
    await daemon.close();
    await h.close();
  });

  it('renders once per connection that does not read, however many scrapes it pipelines', async () => {
    const metrics = daemon.parts.metrics;
    const before = metrics.renders;
    const flood = await Promise.all([0, 1, 2, 3].map(() => unread(port, GET('/metrics').repeat(5_000))));
    expect(await healthz(port)).toBe(200);
    expect(metrics.renders - before).toBeLessThanOrEqual(4);
    for (const s of flood) s.destroy();
  });

  it('counts the connections each listener closed, in /metrics and /api/v1/status (fH44; were not shown)', async () => {
    const hooks = Number(new URL(daemon.parts.webhooks!.url!).port);
    type Closed = Record<'metrics' | 'webhooks', Record<string, number>>;
    /** What /api/v1/status says each listener closed, and a scrape right after it. */
    const read = async (): Promise<{ closed: Closed; text: string }> => {
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/v1/status`)).json()) as {
        connections: Record<keyof Closed, { closed: Record<string, number> }>;
      };
      const closed = {
        metrics: status.connections.metrics.closed,
        webhooks: status.connections.webhooks.closed,
      };
      return { closed, text: await (await fetch(`http://127.0.0.1:${port}/metrics`)).text() };
    };
    const pipelined = (r: { closed: Closed }): number =>
      r.closed.metrics.pipelined! + r.closed.webhooks.pipelined!;
    const before = await read();
    // Past 16 requests waiting behind the one answered, on each port: closed.
    const flood = await Promise.all([
      ...[0, 1, 2].map(() => unread(port, GET('/healthz').repeat(1_000))),
      ...[0, 1].map(() => unread(hooks, GET('/zoom/qss').repeat(1_000))),
    ]);
    // Each read is a turn of I/O: bounded by a count of reads, not by time.
    let after = await read();
    for (let i = 0; i < 500 && pipelined(after) < pipelined(before) + 5; i++) after = await read();
    expect(after.closed.metrics.pipelined! - before.closed.metrics.pipelined!).toBe(3);
    expect(after.closed.webhooks.pipelined! - before.closed.webhooks.pipelined!).toBe(2);
    // The same counts on /metrics: every listener and reason, from 0.
    for (const listener of ['metrics', 'webhooks'] as const)
      for (const reason of ['pipelined', 'evicted', 'stalled']) {
        const line = new RegExp(
          `^qoswatch_http_connections_closed_total\\{listener="${listener}",reason="${reason}"\\} (\\S+)$`,
          'm',
        ).exec(after.text);
        expect(Number(line?.[1]), `${listener} ${reason}`).toBe(after.closed[listener][reason]);
      }
    for (const s of flood) s.destroy();
  });
});
