import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { printed, runCli, startCli, waitForOk } from '../helpers/cli.js';
import { ConnectProxy } from '../helpers/connect-proxy.js';
import { freePort } from '../helpers/ports.js';
import { startRealTimeSim } from '../helpers/sim.js';

// The real command behind a proxy the environment names, as a container behind a corporate
// proxy runs it: Zoom (the simulator, behind TLS for a name only the proxy resolves) reached
// through a real CONNECT proxy that wants credentials.

const dir = mkdtempSync(join(tmpdir(), 'qw-proxy-cli-'));
const tlsDir = join(import.meta.dirname, '../fixtures/tls');
let sim: ZoomSimulator;
let proxy: ConnectProxy;
let tls: TlsServer;
let zoomUrl: string;

beforeAll(async () => {
  // On 127.0.0.2: the token's api_url is the simulator's own address, reached through the proxy
  // (127.0.0.1 would be reached directly, as this machine always is).
  sim = await startRealTimeSim(
    {
      credentials: { account_id: 'acct', client_id: 'cid', client_secret: 'csecret' },
      meetings: [{ id: 84000000001, uuid: 'px==', topic: 'Proxied', participants: [{ user_id: '1' }] }],
    },
    '127.0.0.2',
  );
  const simPort = new URL(sim.url).port;
  // Zoom's TLS in front of it, for zoom.test (the fixture's certificate, trusted by the command
  // through NODE_EXTRA_CA_CERTS).
  tls = createTlsServer(
    {
      cert: readFileSync(join(tlsDir, 'zoom-test-cert.pem')),
      key: readFileSync(join(tlsDir, 'zoom-test-key.pem')),
    },
    (socket) => {
      const upstream = connect(Number(simPort), '127.0.0.2');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    },
  );
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  zoomUrl = `https://zoom.test:${(tls.address() as AddressInfo).port}`;
  proxy = await new ConnectProxy('me:s3cret').listen();
});
afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => tls.close(resolve));
  await sim.close();
});

function config(name: string, listen = '127.0.0.1:0', apiUrl = zoomUrl): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `zoom:\n  api_url: ${apiUrl}\n  oauth_url: ${zoomUrl}/oauth/token\n  account_id: acct\n  client_id: cid\n  client_secret: csecret\n` +
      `sources:\n  webinars: false\nmetrics:\n  listen: ${listen}\nstate:\n  dir: ${join(dir, `state-${name}`)}\nlog:\n  format: json\n`,
  );
  return file;
}

const through = (proxyUrl: string): Record<string, string> => ({
  HTTPS_PROXY: proxyUrl,
  HTTP_PROXY: proxyUrl,
  NO_PROXY: '',
  NODE_EXTRA_CA_CERTS: join(tlsDir, 'zoom-test-cert.pem'),
});

describe('qoswatch behind a proxy', () => {
  it('once reads Zoom through the proxy (token over https://, API calls over http://), logging it without the password', async () => {
    proxy.tunnels.length = 0;
    // API calls over plain http:// need zoom.api_url on http:// too: the token's http:// api_url
    // is not taken under an https:// zoom.api_url (fd891b7).
    const api = `http://127.0.0.2:${new URL(sim.url).port}`;
    const r = await runCli(
      ['once', '--config', config('once', '127.0.0.1:0', api)],
      through(proxy.url('me:s3cret')),
    );
    expect(r.stderr).toContain(
      `"msg":"Zoom calls go https:// through http://[redacted]@127.0.0.1:${proxy.port} (HTTPS_PROXY), http:// through http://[redacted]@127.0.0.1:${proxy.port} (HTTP_PROXY); directly to localhost, 127.0.0.1, [::1]"`,
    );
    expect(r.code, r.stderr).toBe(0);
    const samples = r.stdout.trim().split('\n');
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) expect(s).toContain('"px=="');
    expect(new Set(proxy.tunnels)).toEqual(
      new Set([new URL(zoomUrl).host, `127.0.0.2:${sim.url.split(':').pop()}`]),
    );
    expect(r.stdout + r.stderr).not.toContain('s3cret');
  });

  it('run with the proxy down keeps running, healthy, and says why Zoom cannot be read, without the password', async () => {
    const dead = `http://me:s3cret@127.0.0.1:${await freePort()}`;
    // Its own port (listen :0, read from the log): a port found free here could be taken before it binds.
    const d = startCli(['run', '--config', config('down')], through(dead));
    try {
      const url = (await printed(d, /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"qoswatch running/))[1]!;
      await waitForOk(`${url}/healthz`);
      await printed(d, 'ECONNREFUSED through the proxy');
      expect(d.output()).toContain(
        `ECONNREFUSED through the proxy http://[redacted]@${new URL(dead).host} (HTTPS_PROXY), unless NO_PROXY lists the host`,
      );
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      d.child.kill('SIGTERM');
    }
    expect(await d.exited).toBe(0);
    expect(d.output()).not.toContain('s3cret');
  });

  it('run refuses a proxy variable that is no URL, at start, without repeating it', async () => {
    const r = await runCli(['run', '--config', config('bad')], {
      ...through('http://me:s3cret@[bad'),
      HTTP_PROXY: '',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'cannot start: HTTPS_PROXY is not a URL; expected http://host:port or https://host:port (user:password@ before the host if the proxy asks for them)',
    );
    expect(r.stderr).not.toContain('s3cret');
  });
});
