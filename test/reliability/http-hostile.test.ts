import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import bcrypt from 'bcryptjs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/evaluate/alert.js';
import { HttpServer, type WebOptions } from '../../src/export/http-server.js';
import { fromRoot } from '../../src/util/package-root.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { startSim, type SimHarness } from '../helpers/sim.js';

const tlsFiles = {
  certFile: fromRoot('test', 'fixtures', 'tls', 'cert.pem'),
  keyFile: fromRoot('test', 'fixtures', 'tls', 'key.pem'),
};
const ca = readFileSync(tlsFiles.certFile);
const PASSWORD = 'scrape-Pa55';
const HASH = bcrypt.hashSync(PASSWORD, 4);
/** bcrypt's usual cost: slow enough (~0.1 s here) that concurrent checks really wait. */
const HASH_COST_10 = bcrypt.hashSync(PASSWORD, 10);

/** Every name an object inherits, and then some: each must be just an unknown user. */
const PROTOTYPE_NAMES = [
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
  'then',
  'toJSON',
  '',
  'prometheus\u0000',
];

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request from `localAddress` (any 127.x address is this machine), never throwing on status. */
function get(
  url: string,
  path: string,
  headers: Record<string, string> = {},
  localAddress = '127.0.0.1',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https') ? httpsRequest : httpRequest;
    const req = request(`${url}${path}`, { ca, headers, localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, pass: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

/** Lines a logger wrote, to see that failures are logged. */
function capturingLogger(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { log, lines };
}

/** A real server with the daemon's HTTP front door, on 127.0.0.1, with a test clock. */
async function serve(
  web: WebOptions,
  routes: ConstructorParameters<typeof HttpServer>[0] = {},
): Promise<{ server: HttpServer; url: string; clock: { t: number } }> {
  const clock = { t: 1_000_000 };
  const server = new HttpServer(
    {
      '/metrics': () => ({ status: 200, body: 'qoswatch_up 1\n' }),
      '/healthz': () => ({ status: 200, body: 'ok\n' }),
      ...routes,
    },
    { basicAuthUsers: { prometheus: HASH }, open: ['/healthz'], now: () => clock.t, ...web },
  );
  const url = await server.listen(0, '127.0.0.1');
  return { server, url, clock };
}

/** Yields to the event loop until `cond` holds: bounded by a count of turns, not by time. */
async function until(cond: () => boolean, turns = 100_000): Promise<void> {
  for (let i = 0; i < turns && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

describe.each([
  ['HTTP', {}],
  ['HTTPS', { tls: tlsFiles }],
])('basic auth over %s against hostile user names', (_name, extra) => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => (s = await serve({ ...extra, auth: { burst: 1_000 } })));
  afterAll(async () => s.server.close());

  it(`answers 401 to each of ${PROTOTYPE_NAMES.length} prototype names, and stays up`, async () => {
    for (const user of PROTOTYPE_NAMES) {
      for (const pass of ['x', PASSWORD, '']) {
        const r = await get(s.url, '/metrics', basic(user, pass));
        expect(r.status, `${JSON.stringify(user)}:${pass}`).toBe(401);
        expect(r.headers['www-authenticate']).toBe('Basic realm="qoswatch"');
      }
    }
    // Unknown names cost a comparison against the dummy hash, as a known one would.
    expect(s.server.auth!.stats.dummyCompares).toBe(PROTOTYPE_NAMES.length * 3);
    expect((await get(s.url, '/metrics', basic('prometheus', PASSWORD))).status).toBe(200);
  });

  it('answers 401 to malformed Authorization headers', async () => {
    for (const authorization of [
      'Basic',
      'Basic !!!',
      'Basic Y29uc3RydWN0b3I=',
      'Bearer x',
      'Basic ' + 'A'.repeat(8000),
    ])
      expect((await get(s.url, '/metrics', { authorization })).status, authorization.slice(0, 20)).toBe(401);
    expect((await get(s.url, '/healthz')).status).toBe(200);
  });
});

describe('users whose names are prototype names', () => {
  it('log in like any other user (the config may name a user constructor or __proto__)', async () => {
    const users = JSON.parse(`{"__proto__": "${HASH}", "constructor": "${HASH}"}`) as Record<string, string>;
    const { server, url } = await serve({ basicAuthUsers: users });
    for (const user of ['__proto__', 'constructor']) {
      expect((await get(url, '/metrics', basic(user, PASSWORD))).status, user).toBe(200);
      expect((await get(url, '/metrics', basic(user, 'wrong'))).status, user).toBe(401);
    }
    expect((await get(url, '/metrics', basic('toString', PASSWORD))).status).toBe(401);
    await server.close();
  });
});

describe('basic auth costs the same for known and unknown users', () => {
  it('compares an unknown user against the dummy hash, and a known one against its own', async () => {
    const { server, url } = await serve({});
    const stats = server.auth!.stats;
    const known = await get(url, '/metrics', basic('prometheus', 'wrong'));
    expect(known.status).toBe(401);
    expect(stats).toMatchObject({ compares: 1, dummyCompares: 0 });
    const unknown = await get(url, '/metrics', basic('nobody', 'wrong'));
    expect(unknown.status).toBe(401);
    expect(stats).toMatchObject({ compares: 2, dummyCompares: 1 });
    // Same answer, byte for byte.
    expect(unknown.body).toBe(known.body);
    expect(unknown.headers['www-authenticate']).toBe(known.headers['www-authenticate']);
    await server.close();
  });

  it('refuses a password over 72 bytes that bcrypt would have accepted by its first 72', async () => {
    const long = 'p'.repeat(72);
    const { server, url } = await serve({ basicAuthUsers: { prometheus: bcrypt.hashSync(long, 4) } });
    expect(bcrypt.compareSync(`${long}-anything`, bcrypt.hashSync(long, 4))).toBe(true); // what bcrypt does
    expect((await get(url, '/metrics', basic('prometheus', `${long}-anything`))).status).toBe(401);
    expect(server.auth!.stats.tooLong).toBe(1);
    expect((await get(url, '/metrics', basic('prometheus', long))).status).toBe(200);
    await server.close();
  });
});

describe('a flood of wrong passwords', () => {
  it('is limited per client: 429 with Retry-After once the burst is spent; no bcrypt for the rest', async () => {
    const { server, url, clock } = await serve({ auth: { burst: 10, refillMs: 6_000 } });
    const flood = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        get(url, '/metrics', basic('prometheus', `guess-${i}`), '127.0.0.2'),
      ),
    );
    const by = (status: number): Reply[] => flood.filter((r) => r.status === status);
    expect(by(401)).toHaveLength(10);
    expect(by(429)).toHaveLength(190);
    for (const r of by(429)) expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(server.auth!.stats.compares).toBe(10);
    // Another client is not limited by it.
    expect((await get(url, '/metrics', basic('prometheus', PASSWORD), '127.0.0.3')).status).toBe(200);
    // The flooding client gets one more try per refill period.
    expect((await get(url, '/metrics', basic('prometheus', 'again'), '127.0.0.2')).status).toBe(429);
    clock.t += 6_000;
    expect((await get(url, '/metrics', basic('prometheus', 'again'), '127.0.0.2')).status).toBe(401);
    await server.close();
  });

  it('does not starve a right password from another client: it waits for at most one of the flood', async () => {
    const { server, url } = await serve({
      basicAuthUsers: { prometheus: HASH_COST_10 },
      auth: { burst: 50, concurrency: 1, maxQueued: 64 },
    });
    const auth = server.auth!;
    // Hold the one bcrypt slot so that the whole flood is queued before the right password comes.
    let release!: () => void;
    const holder = auth.queue.run('test', () => new Promise<void>((r) => (release = r)));
    let floodDone = 0;
    const flood = Array.from({ length: 12 }, (_, i) =>
      get(url, '/metrics', basic('prometheus', `guess-${i}`), '127.0.0.2').then((r) => {
        floodDone++;
        return r;
      }),
    );
    await until(() => auth.queue.depth === 12);
    const right = get(url, '/metrics', basic('prometheus', PASSWORD), '127.0.0.3');
    await until(() => auth.queue.depth === 13);
    release();
    await holder;
    expect((await right).status).toBe(200);
    // In a first-come queue it would have waited for all 12; it waits for one of them.
    expect(floodDone).toBeLessThanOrEqual(2);
    expect(auth.stats.compares).toBeLessThanOrEqual(3);
    expect((await Promise.all(flood)).every((r) => r.status === 401)).toBe(true);
    expect(auth.stats.compares).toBe(13);
    await server.close();
  });

  it('lets a verified scraper through from the cache even while its own address is limited', async () => {
    const { server, url } = await serve({ auth: { burst: 3 } });
    expect((await get(url, '/metrics', basic('prometheus', PASSWORD))).status).toBe(200);
    for (let i = 0; i < 5; i++) await get(url, '/metrics', basic('prometheus', `bad-${i}`));
    expect((await get(url, '/metrics', basic('prometheus', 'bad'))).status).toBe(429);
    const compares = server.auth!.stats.compares;
    expect((await get(url, '/metrics', basic('prometheus', PASSWORD))).status).toBe(200);
    expect(server.auth!.stats.compares).toBe(compares); // no bcrypt: from the cache
    await server.close();
  });

  it('answers 429 busy when too many checks wait, instead of queueing without bound', async () => {
    const { server, url } = await serve({
      basicAuthUsers: { prometheus: HASH_COST_10 },
      auth: { burst: 1_000, concurrency: 1, maxQueued: 3 },
    });
    const auth = server.auth!;
    // Hold the one bcrypt slot, so that on any machine, fast or slow, the 12 checks find it taken.
    let release!: () => void;
    const holder = auth.queue.run('test', () => new Promise<void>((r) => (release = r)));
    const pending = Array.from({ length: 12 }, (_, i) =>
      get(url, '/metrics', basic('prometheus', `g${i}`), `127.0.1.${i + 1}`),
    );
    await until(() => auth.queue.depth === 3 && auth.stats.busy === 9);
    release();
    await holder;
    const replies = await Promise.all(pending);
    expect(replies.filter((r) => r.status === 401).length).toBe(3);
    expect(auth.stats.compares).toBe(3);
    const busy = replies.filter((r) => r.status === 429);
    expect(busy.length).toBe(9);
    for (const r of busy) expect(r.headers['retry-after']).toBe('1');
    await server.close();
  });
});

describe('handler failures and odd requests', () => {
  it('answer 500 for a handler that throws or rejects, log it, and keep serving', async () => {
    const { log, lines } = capturingLogger();
    const { server, url } = await serve(
      { basicAuthUsers: {}, log },
      {
        '/throws': () => {
          throw new Error('boom with detail');
        },
        '/rejects': () => Promise.reject(new Error('async boom')),
      },
    );
    for (const path of ['/throws', '/rejects']) {
      const r = await get(url, path);
      expect(r.status).toBe(500);
      expect(r.body).toBe('internal error\n'); // the error stays in the log
    }
    expect(lines.filter((l) => l.msg === 'HTTP request failed; answered 500').map((l) => l.err)).toEqual([
      'boom with detail',
      'async boom',
    ]);
    expect((await get(url, '/metrics')).status).toBe(200);
    await server.close();
  });

  it('answer odd paths and methods without failing', async () => {
    const { server, url } = await serve({ basicAuthUsers: {} });
    const raw = (line: string): Promise<string> =>
      new Promise((resolve) => {
        const sock = netConnect(Number(new URL(url).port), '127.0.0.1');
        let out = '';
        sock.on('data', (d: Buffer) => (out += d.toString()));
        sock.on('close', () => resolve(out));
        sock.on('error', () => resolve(out));
        sock.end(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
      });
    const paths = [
      '/__proto__',
      '/constructor',
      '//',
      '/%00',
      '/%zz',
      '/metrics?x=%',
      '/' + 'a'.repeat(5000),
      '/../etc/passwd',
    ];
    for (const p of paths) {
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(await raw(`GET ${p} HTTP/1.1`))?.[1]);
      expect([200, 400, 404], p.slice(0, 20)).toContain(status);
    }
    expect(await raw('GET http://[::1 HTTP/1.1')).toMatch(/^HTTP\/1\.1 (400|404)/);
    expect((await get(url, '/metrics')).status).toBe(200);
    await server.close();
  });

  it('answer CONNECT 405 with the methods taken, as any other method (outside tester, L2)', async () => {
    const { server, url } = await serve({ basicAuthUsers: {} });
    const answer = await new Promise<string>((resolve) => {
      const sock = netConnect(Number(new URL(url).port), '127.0.0.1');
      let out = '';
      sock.on('data', (d: Buffer) => (out += d.toString()));
      sock.on('close', () => resolve(out));
      sock.on('error', () => resolve(out));
      sock.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(answer).toContain('Allow: GET, HEAD\r\n');
    expect(answer.endsWith('\r\n\r\nmethod not allowed\n')).toBe(true);
    expect((await get(url, '/metrics')).status).toBe(200);
    await server.close();
  });
});

describe('TLS connections that say nothing are closed', () => {
  const timeouts = { handshakeMs: 300, headersMs: 300, keepAliveMs: 300, idleMs: 600 };
  const closed = (sock: { on: (e: 'close', f: () => void) => unknown }): Promise<void> =>
    new Promise((resolve) => sock.on('close', () => resolve()));

  it('before the handshake (a bare TCP connection) and after it (no request sent)', async () => {
    const { server, url } = await serve({ tls: tlsFiles, timeouts });
    const port = Number(new URL(url).port);
    const bare = netConnect(port, '127.0.0.1');
    bare.on('error', () => undefined);
    const secure = tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
    secure.on('error', () => undefined);
    let handshake = false;
    secure.on('secureConnect', () => (handshake = true));
    let reply = '';
    secure.on('data', (d: Buffer) => (reply += d.toString()));
    // Both end by the server's doing (handshakeMs, headersMs); the test would time out otherwise.
    await Promise.all([closed(bare), closed(secure)]);
    expect(handshake).toBe(true);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    await server.close();
  });
});

describe('/api/v1/alerts and participant identity', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSim({
      meetings: [
        {
          id: 85000000001,
          uuid: 'mtg-ident==',
          topic: 'Board meeting',
          participants: [
            {
              key: 'ann',
              user_id: '100',
              name: 'Ann Example',
              email: 'ann@example.com',
              location: 'Gotham (US)',
              ip_address: '10.9.8.7',
            },
            {
              key: 'bo',
              user_id: '101',
              name: 'Bo Example',
              email: 'bo@example.com',
              location: 'Metropolis (US)',
              ip_address: '10.9.8.6',
            },
          ],
        },
      ],
      episodes: [{ where: { instance: 85000000001 }, from: '0m', to: '1h', any: { latency: '500ms' } }],
    });
  });
  afterAll(async () => h.close());

  const alertsWith = async (
    tweak: Parameters<typeof daemonFor>[1],
  ): Promise<{ text: string; alerts: Alert[] }> => {
    const { daemon } = daemonFor(h, tweak);
    await runUntil(daemon, h, h.clock.now() + 4 * 60_000);
    const url = await daemon.listen();
    const r = await get(url, '/api/v1/alerts', basic('prometheus', PASSWORD));
    await daemon.close();
    expect(r.status).toBe(200);
    return { text: r.body, alerts: (JSON.parse(r.body) as { alerts: Alert[] }).alerts };
  };
  const IDENTITY = ['Ann Example', 'Bo Example', 'example.com', 'Gotham', 'Metropolis', '10.9.8.'];

  it('leaves names, e-mails, IPs and locations out by default', async () => {
    const { text, alerts } = await alertsWith(() => undefined);
    expect(alerts.length).toBeGreaterThan(0);
    for (const s of IDENTITY) expect(text).not.toContain(s);
    const a = alerts.find((x) => x.context.participantKey === '100')!;
    expect(a.context.participant).toBe('100');
    expect(a.annotations.summary).toMatch(/^100's /);
    expect(a.repeatAnnotations?.summary).toMatch(/^100's audio latency is still /);
    for (const s of IDENTITY) expect(JSON.stringify(a.repeatAnnotations)).not.toContain(s);
  });

  it('shows names and locations with participant_identity_labels, or behind basic auth', async () => {
    const optIn = await alertsWith((c) => {
      c.metrics.participantSeries = true;
      c.metrics.participantIdentity = true;
    });
    expect(optIn.text).toContain('Ann Example');
    expect(optIn.text).toContain('Gotham');
    const guarded = await alertsWith((c) => {
      c.metrics.basicAuthUsers = { prometheus: HASH };
    });
    expect(guarded.text).toContain('Ann Example');
  });
});

describe('/api/v1/alerts withholds names however templates write them', () => {
  let h: SimHarness;
  const PEOPLE = [
    { key: 'dev', user_id: '200', name: 'Dev (iOS)', location: 'Springfield (US)' },
    { key: 'rx', user_id: '201', name: 'a.*+?^${x}[y]|(z)\\', location: 'Shelbyville (US)' },
    { key: 'sub', user_id: '202', name: 'late', location: 'Ogdenville (US)' },
  ];
  beforeAll(async () => {
    h = await startSim({
      meetings: [{ id: 85000000002, uuid: 'mtg-poss==', topic: 'Standup', participants: PEOPLE }],
      episodes: [{ where: { instance: 85000000002 }, from: '0m', to: '1h', any: { latency: '650ms' } }],
    });
  });
  afterAll(async () => h.close());

  it('renders the text from the participant key: possessives, regex characters, names inside words', async () => {
    const { daemon } = daemonFor(h, () => undefined);
    await runUntil(daemon, h, h.clock.now() + 4 * 60_000);
    const url = await daemon.listen();
    const r = await get(url, '/api/v1/alerts');
    await daemon.close();
    expect(r.status).toBe(200);
    const alerts = (JSON.parse(r.body) as { alerts: Alert[] }).alerts;
    for (const p of PEOPLE) {
      const a = alerts.find((x) => x.context.participantKey === p.user_id && x.rule === 'audio-latency-high');
      expect(a, `${p.name}: ${r.body.slice(0, 400)}`).toBeDefined();
      expect(a!.annotations.summary).toMatch(new RegExp(`^${p.user_id}'s audio latency is \\d+ ms`));
      expect(a!.context.participant).toBe(p.user_id);
    }
    for (const s of [
      'Dev (',
      "Dev's",
      'iOS)',
      'a.*+?',
      '[y]',
      'Springfield',
      'Shelbyville',
      'Ogdenville',
      "late's",
    ])
      expect(r.body).not.toContain(s);
  });
});
