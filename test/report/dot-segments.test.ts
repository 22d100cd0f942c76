import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';
import { TestServer } from '../helpers/http-server.js';
import { T0 } from '../helpers/sim.js';

/**
 * An id or participant of "." or ".." must never reach Zoom as a dot segment: URL
 * normalisation would drop it and send the request to another endpoint
 * (`/metrics/meetings/..` is `/metrics/`). A recording server in front of the simulator shows
 * every path the built CLI asked for.
 */
const CONFIG = fromRoot('docs', 'report', 'config.yaml');
const dir = mkdtempSync(join(tmpdir(), 'qw-dot-segments-'));
let sim: ZoomSimulator;
let proxy: TestServer;
let env: Record<string, string>;

beforeAll(async () => {
  sim = new ZoomSimulator(
    loadScenario(fromRoot('docs', 'inspect', 'standup.yaml'), T0),
    new VirtualClock(T0 + 15 * 60_000),
  );
  const target = await sim.listen();
  proxy = new TestServer((r, res) => {
    void fetch(`${target}${r.path}`, {
      method: r.method,
      headers: Object.fromEntries(
        Object.entries(r.headers).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host',
        ),
      ),
      ...(r.method === 'POST' ? { body: r.body } : {}),
    }).then(async (answer) => {
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      // The token's api_url would send the API calls past the recorder: it points here instead.
      res.end((await answer.text()).replaceAll(target, proxy.url));
    });
  });
  env = { ZOOM_API_URL: await proxy.listen(), QOSWATCH_STATE_DIR: join(dir, 'state') };
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const apiPaths = (): string[] => proxy.received.map((r) => r.path).filter((p) => p.startsWith('/v2/'));

describe('ids of "." and ".." (the built CLI through a recording server)', () => {
  it.each([['..'], ['.'], ['']])('report %j is refused before any call', async (id) => {
    proxy.received.length = 0;
    const run = await runCli(['report', '--config', CONFIG, id], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${JSON.stringify(id)} is not a valid meeting, webinar or session id`);
    expect(proxy.received).toEqual([]);
  });

  it.each([['..'], ['.']])('inspect 555 %j never asks for another endpoint', async (participant) => {
    proxy.received.length = 0;
    const run = await runCli(['inspect', '--config', CONFIG, '555', participant], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${JSON.stringify(participant)} is not a valid participant id`);
    // The instance was looked up; nothing else went out (before: /metrics/meetings/<uuid>/qos?type=live).
    expect(apiPaths().length).toBeGreaterThan(0);
    for (const p of apiPaths()) expect(p).toMatch(/^\/v2\/metrics\/meetings\/555\?/);
  });

  it('inspect --daemon refuses ".." rather than reading /api/v1/', async () => {
    proxy.received.length = 0;
    const run = await runCli(['inspect', '--daemon', proxy.url, '..']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('".." is not a valid meeting, webinar or session id');
    expect(proxy.received).toEqual([]);
  });
});
