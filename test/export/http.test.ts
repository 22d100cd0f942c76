import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { fromRoot } from '../../src/util/package-root.js';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
const tls = {
  certFile: fromRoot('test', 'fixtures', 'tls', 'cert.pem'),
  keyFile: fromRoot('test', 'fixtures', 'tls', 'key.pem'),
};
const ca = readFileSync(tls.certFile);
beforeAll(async () => {
  h = await startSim({
    meetings: [meetingWith(4)],
    episodes: [{ where: { instance: 85000000001 }, from: '0m', to: '1h', any: { latency: '500ms' } }],
  });
});
afterAll(async () => h.close());

async function started(tweak: Parameters<typeof daemonFor>[1]): Promise<{ daemon: Daemon; url: string }> {
  const { daemon } = daemonFor(h, tweak);
  await runUntil(daemon, h, h.clock.now() + 4 * 60_000);
  const url = await daemon.listen();
  return { daemon, url };
}

const basic = (user: string, pass: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

describe('HTTP endpoints', () => {
  let daemon: Daemon;
  let url = '';
  beforeAll(async () => ({ daemon, url } = await started(() => undefined)));
  afterAll(async () => daemon.close());

  it('serve /metrics, /healthz, /readyz, /api/v1/alerts and /api/v1/status', async () => {
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const body = await metrics.text();
    expect(body).toMatch(
      /^qoswatch_instance_participants\{kind="meeting",instance_id="85000000001",instance_uuid="[^"]+"\} 4$/m,
    );
    // Written in pieces: every byte announced is sent, and the call quality series (everything
    // but the process's own, which move between two scrapes) are text()'s, in its order.
    expect(Number(metrics.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    const quality = (text: string): string =>
      text.slice(text.indexOf('# HELP qoswatch_instance_participants '));
    expect(quality(body)).toBe(quality(await daemon.parts.metrics.text()));
    expect(quality(body).split('\n').length).toBeGreaterThan(50);
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
    // Its loop ran until T and stopped (runUntil): stopping, it is not ready (readiness.test.ts
    // has the 200 while it runs).
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    const { alerts } = (await (await fetch(`${url}/api/v1/alerts`)).json()) as {
      alerts: { rule: string; state: string }[];
    };
    expect(alerts.some((a) => a.rule === 'audio-latency-high' && a.state === 'firing')).toBe(true);
    const status = (await (await fetch(`${url}/api/v1/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      ready: false,
      live_instances: { meeting: 1 },
      rules: { loaded: 8, last_reload: { ok: true } },
    });
    expect(status.budget).toMatchObject({ zoom: { allowance: 60_000 } });
    expect(status.last_cycle).toMatchObject({ live: 1 });
  });

  it('answer 405 to other methods, 404 to unknown paths, 413 to large bodies', async () => {
    expect((await fetch(`${url}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST', body: 'x'.repeat(20_000) })).status).toBe(413);
  });
});

describe('basic auth and TLS, as in Prometheus web config', () => {
  it('refuse requests without the right password, keep /healthz and /readyz open for probes, and speak TLS', async () => {
    const hash = bcrypt.hashSync('scrape-Pa55', 4);
    const { daemon, url } = await started((c) => {
      c.metrics.basicAuthUsers = { prometheus: hash };
      c.metrics.tls = tls;
    });
    expect(url.startsWith('https://')).toBe(true);
    const get = (
      path: string,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(`${url}${path}`, { ca, headers }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', basic('prometheus', 'wrong'))).status).toBe(401);
    expect((await get('/metrics', basic('someone', 'scrape-Pa55'))).status).toBe(401);
    const ok = await get('/metrics', basic('prometheus', 'scrape-Pa55'));
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('qoswatch_build_info');
    expect((await get('/api/v1/status')).status).toBe(401);
    expect((await get('/healthz')).status).toBe(200);
    expect([200, 503]).toContain((await get('/readyz')).status);
    await expect(fetch(url.replace('https', 'http') + '/healthz')).rejects.toThrow();
    await daemon.close();
  });
});

describe('qoswatch hash-password', () => {
  it('prints a bcrypt hash that basic auth accepts', async () => {
    const { spawnSync } = await import('node:child_process');
    const { CLI } = await import('../helpers/cli.js');
    const r = spawnSync(process.execPath, [CLI, 'hash-password'], {
      input: 'scrape-Pa55\n',
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(bcrypt.compareSync('scrape-Pa55', r.stdout.trim())).toBe(true);
  });
});
