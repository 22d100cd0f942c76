import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** `qoswatch healthcheck` asks this machine when metrics.listen is every interface, however written. */

const dir = mkdtempSync(join(tmpdir(), 'qw-healthcheck-'));
const servers: Server[] = [];

/** A real server on `host` answering 200 at /healthz; its port. */
async function healthy(host: string): Promise<number> {
  const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

const ports = { v4: 0, v6: 0 };
beforeAll(async () => {
  ports.v4 = await healthy('127.0.0.1');
  ports.v6 = await healthy('::1');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

describe('healthcheck', () => {
  // Old code: only 0.0.0.0, :: and the empty host were every interface; it asked
  // http://0:PORT, http://0.0:PORT, http://[::0]:PORT and http://[0:0:0:0:0:0:0:0]:PORT as written.
  it.each([
    ...['0.0.0.0', '0', '0.0'].map((host) => ({ host, v6: false })),
    ...['::', '::0', '0:0:0:0:0:0:0:0'].map((host) => ({ host, v6: true })),
  ])('metrics.listen on $host asks this machine', async ({ host, v6 }) => {
    const config = join(dir, 'health.yaml');
    const port = v6 ? ports.v6 : ports.v4;
    const listen = v6 ? `[${host}]:${port}` : `${host}:${port}`;
    writeFileSync(config, `metrics: { listen: "${listen}" }\nnotifiers:\n  - { name: c, type: console }\n`);
    const r = await runCli(['healthcheck', '--config', config]);
    expect(r.stdout).toBe(`http://${v6 ? '[::1]' : '127.0.0.1'}:${port}/healthz: HTTP 200\n`);
    expect(r.code).toBe(0);
  });
});
