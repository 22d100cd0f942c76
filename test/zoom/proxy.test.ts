import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProxySettingError, zoomProxy } from '../../src/zoom/proxy.js';
import { ConnectProxy } from '../helpers/connect-proxy.js';
import { freePort } from '../helpers/ports.js';
import type { SimHarness } from '../helpers/sim.js';
import { cycle } from '../helpers/zoom-cycle.js';

// Zoom calls through a proxy the environment names (src/zoom/proxy.ts), against a real CONNECT
// proxy (test/helpers/connect-proxy.ts) in front of the simulator or a local server. The
// transport makes its pool at its first request, from the environment then: each test sets
// the environment and loads the Zoom client's modules afresh.

const VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const v of VARS)
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  await Promise.all(closing.splice(0).map((close) => close()));
});

/** The Zoom client's modules loaded afresh under `env` (the proxy variables not named are unset). */
async function zoomUnder(env: Record<string, string>) {
  for (const v of VARS) delete process.env[v];
  Object.assign(process.env, env);
  vi.resetModules();
  const [sim, endpoints, errors, transport] = await Promise.all([
    import('../helpers/sim.js'),
    import('../../src/zoom/endpoints.js'),
    import('../../src/zoom/errors.js'),
    import('../../src/zoom/transport.js'),
  ]);
  return { ...sim, ...endpoints, ...errors, ...transport };
}

async function proxy(credentials?: string): Promise<ConnectProxy> {
  const p = await new ConnectProxy(credentials).listen();
  closing.push(() => p.close());
  return p;
}

/** The simulator at `name` instead of 127.0.0.1: a name only the proxy resolves. */
const named = (h: SimHarness, name = 'zoom.test'): SimHarness => ({
  ...h,
  url: h.url.replace('127.0.0.1', name),
});

/** A local server on `host` answering `body`. */
async function server(host: string, body: Buffer | string): Promise<string> {
  const s: Server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(body),
  );
  await new Promise<void>((resolve) => s.listen(0, host, resolve));
  closing.push(() => new Promise((resolve) => s.close(resolve)));
  return `http://${host}:${(s.address() as AddressInfo).port}`;
}

describe('zoomProxy: the proxy the environment names', () => {
  const cases: {
    name: string;
    env: Record<string, string>;
    shown?: string;
    https?: string;
    http?: string;
  }[] = [
    { name: 'nothing set', env: {} },
    {
      name: 'HTTPS_PROXY with credentials: used, never shown',
      env: { HTTPS_PROXY: 'http://me:s3cret@proxy.corp:3128' },
      https: 'http://me:s3cret@proxy.corp:3128/',
      shown:
        'Zoom calls go https:// through http://[redacted]@proxy.corp:3128 (HTTPS_PROXY); directly to localhost, 127.0.0.1, [::1]',
    },
    {
      name: 'lower case before upper case; HTTP_PROXY also for https:// when no HTTPS proxy is set',
      env: { http_proxy: 'proxy.corp:8080', HTTP_PROXY: 'http://other:1', NO_PROXY: '.corp, zoom.us:443' },
      https: 'http://proxy.corp:8080/',
      http: 'http://proxy.corp:8080/',
      shown:
        'Zoom calls go https:// through http://proxy.corp:8080 (http_proxy), http:// through http://proxy.corp:8080 (http_proxy); directly to .corp, zoom.us:443, localhost, 127.0.0.1, [::1]',
    },
    { name: 'NO_PROXY=* turns it off', env: { HTTPS_PROXY: 'http://proxy.corp:3128', no_proxy: '*' } },
    { name: 'an empty variable is none', env: { HTTPS_PROXY: ' ' } },
  ];
  for (const c of cases)
    it(c.name, () => {
      const p = zoomProxy(c.env);
      expect(p?.shown).toBe(c.shown);
      expect(p?.https.url).toBe(c.https);
      expect(p?.http?.url).toBe(c.http);
    });

  it('a variable that names no usable proxy is refused without repeating its value', () => {
    for (const [value, message] of [
      [
        'http://me:s3cret@[bad',
        'HTTPS_PROXY is not a URL; expected http://host:port or https://host:port (user:password@ before the host if the proxy asks for them)',
      ],
      [
        'socks5://me:s3cret@proxy:1080',
        'HTTPS_PROXY names a socks5: proxy (socks5://[redacted]@proxy:1080); expected http://host:port or https://host:port (user:password@ before the host if the proxy asks for them)',
      ],
    ] as const) {
      const err = (() => {
        try {
          return zoomProxy({ HTTPS_PROXY: value });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ProxySettingError);
      expect((err as Error).message).toBe(message);
    }
  });
});

describe('Zoom calls through a CONNECT proxy', () => {
  it('the token and 40 calls one after another go through one tunnel, kept alive', async () => {
    const p = await proxy();
    const z = await zoomUnder({ HTTP_PROXY: p.url() });
    // On 127.0.0.2: the token's api_url is the simulator's own address, which must not be this
    // machine's usual one (always reached directly) for the API calls to go through the proxy.
    const h = await z.startSim({ meetings: [z.meetingWith(3)] }, undefined, '127.0.0.2');
    closing.push(() => h.close());
    const zoom = z.s2sClient(h);
    for (let i = 0; i < 40; i++)
      await zoom.get(z.ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 });
    expect(h.sim.requests.get('qos 200')).toBe(40);
    expect(h.sim.requests.get('oauth 200')).toBe(1);
    expect(p.tunnels).toEqual([new URL(h.url).host]);
    expect(h.sim.connections).toBe(1);
  });

  it('a cycle 8 at a time opens at most 8 tunnels, and the next cycle reuses them', async () => {
    const p = await proxy();
    const z = await zoomUnder({ HTTP_PROXY: p.url() });
    const meetings = Array.from({ length: 16 }, (_, i) =>
      z.meetingWith(12, { id: 85_000_000_100 + i, uuid: `mtg-uuid-${i}==` }),
    );
    const h = await z.startSim({ meetings }, undefined, '127.0.0.2');
    closing.push(() => h.close());
    const zoom = z.s2sClient(h);
    expect(await cycle(zoom)).toBe(16 * 12);
    const opened = p.tunnels.length;
    expect(opened).toBeGreaterThan(0);
    expect(opened).toBeLessThanOrEqual(8);
    expect(await cycle(zoom)).toBe(16 * 12);
    expect(p.tunnels.length).toBe(opened);
    expect(h.sim.connections).toBe(opened);
  });

  it('NO_PROXY hosts and this machine are reached directly; others through the tunnel', async () => {
    const p = await proxy();
    const other = await server('127.0.0.2', '{"participants":[]}');
    const local = await server('127.0.0.1', '{"participants":[]}');
    for (const [env, url, tunnels] of [
      [{ HTTP_PROXY: p.url() }, other, 1],
      [{ HTTP_PROXY: p.url(), NO_PROXY: 'example.com,127.0.0.2' }, other, 0],
      [{ HTTP_PROXY: p.url(), no_proxy: `127.0.0.2:${new URL(other).port}` }, other, 0],
      [{ HTTP_PROXY: p.url() }, local, 0],
    ] as const) {
      p.tunnels.length = 0;
      const z = await zoomUnder(env);
      const res = await z.zoomFetch(`${url}/v2/x`);
      expect(res.status, JSON.stringify(env)).toBe(200);
      expect(p.tunnels.length, JSON.stringify(env)).toBe(tunnels);
    }
  });

  it("keeps the bound on an answer's bytes through the tunnel", async () => {
    const p = await proxy();
    const z = await zoomUnder({ HTTP_PROXY: p.url() });
    const url = await server('127.0.0.1', Buffer.alloc(64 * 1024 + 1, 0x20));
    const err = (await z
      .zoomFetch(`${url.replace('127.0.0.1', 'big.test')}/`, { maxBytes: 64 * 1024 })
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('fetch failed');
    expect(inspect(err, { depth: 5 })).toContain('QW_ANSWER_TOO_LARGE');
    expect(p.tunnels).toHaveLength(1);
  });

  it('sends the credentials in the URL to the proxy; a proxy that refuses them is PROXY_407, never showing them', async () => {
    const p = await proxy('me:s3cret');
    const h = await (await zoomUnder({})).startSim({ meetings: [] });
    closing.push(() => h.close());
    let z = await zoomUnder({ HTTP_PROXY: p.url('me:s3cret') });
    await z
      .s2sClient(named(h))
      .get(z.ENDPOINTS.meetingQos, { id: 'mtg-uuid-1==' }, { page_size: 10 })
      .catch(() => undefined);
    expect(p.authorizations).toEqual([`Basic ${Buffer.from('me:s3cret').toString('base64')}`]);
    expect(p.tunnels).toHaveLength(1);

    z = await zoomUnder({ HTTP_PROXY: p.url('me:wrong') });
    const err = (await z
      .videoSdkClient(named(h))
      .get(z.ENDPOINTS.meetingQos, { id: 'm' })
      .catch((e: unknown) => e)) as Error;
    expect(z.isZoomError(err)).toBe(true);
    expect(err.message).toMatch(
      new RegExp(
        `network error \\(PROXY_407 through the proxy http://\\[redacted\\]@127.0.0.1:${p.port} \\(HTTP_PROXY\\), unless NO_PROXY lists the host\\)`,
      ),
    );
    expect(inspect(err, { depth: 10 })).not.toMatch(/wrong|s3cret/);
  });

  it('a proxy that is down: a network error naming it, without its credentials; the token endpoint says so too', async () => {
    const port = await freePort(); // nothing listens there
    const z = await zoomUnder({ HTTP_PROXY: `http://me:s3cret@127.0.0.1:${port}` });
    const h = await z.startSim({ meetings: [] });
    closing.push(() => h.close());
    const err = (await z
      .videoSdkClient(named(h))
      .get(z.ENDPOINTS.meetingQos, { id: 'm' })
      .catch((e: unknown) => e)) as Error;
    expect(z.isZoomError(err) && err.code).toBe('ZOOM_NETWORK_ERROR');
    expect(err.message).toContain(
      `network error (ECONNREFUSED through the proxy http://[redacted]@127.0.0.1:${port} (HTTP_PROXY)`,
    );
    const tokenErr = (await z
      .s2sClient(named(h))
      .get(z.ENDPOINTS.meetingQos, { id: 'm' })
      .catch((e: unknown) => e)) as Error;
    expect(tokenErr.message).toContain(`ECONNREFUSED through the proxy http://[redacted]@127.0.0.1:${port}`);
    for (const e of [err, tokenErr]) expect(inspect(e, { depth: 10 })).not.toContain('s3cret');
    expect(h.sim.connections).toBe(0);
  });
});
