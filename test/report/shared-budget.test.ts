import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { runCli } from '../helpers/cli.js';
import type { TestServer } from '../helpers/http-server.js';
import { simProxy } from '../helpers/proxy.js';
import { T0 } from '../helpers/sim.js';

/**
 * Two `qoswatch report` processes at once on one state dir, with a daily pool too small for
 * both (a report of meeting 777 takes 4 calls; the pool is 6). A proxy in front of the
 * simulator holds the first API request of each (after its token) until both have sent theirs, so both have
 * read the budget and started before either goes on, whatever the machine's speed. The calls
 * made never exceed the pool, the shared file counts every call Zoom received, and each
 * report counts only its own calls.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-shared-budget-'));
const POOL = 6;
let sim: ZoomSimulator;
let proxy: TestServer;
let simUrl = '';
const api: string[] = [];

beforeAll(async () => {
  sim = new ZoomSimulator(
    loadScenario(fromRoot('docs', 'report', 'weekly-sync.yaml'), T0),
    new VirtualClock(T0 + 95 * 60_000),
  );
  simUrl = await sim.listen();
  const held: (() => void)[] = [];
  proxy = await simProxy(simUrl, {
    hold: (r, forward) => {
      if (r.path.startsWith('/oauth/')) return false;
      api.push(r.path);
      if (api.length > 2) return false;
      held.push(forward);
      if (held.length === 2) for (const go of held) go();
      return true;
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the daily budget shared by two processes', () => {
  it('two reports at once never make more calls than the pool, and the file counts every call', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'zoom:',
        `  api_url: ${proxy.url}`,
        `  oauth_url: ${proxy.url}/oauth/token`,
        '  account_id: any',
        '  client_id: any-id',
        '  client_secret: any-secret',
        '  daily_share: 1',
        '  limits:',
        `    daily_pool: ${POOL}`,
        'state:',
        `  dir: ${join(dir, 'state')}`,
        '',
      ].join('\n'),
    );
    const run = (): ReturnType<typeof runCli> =>
      runCli(['report', '--config', config, '--format', 'json', '--reserve', '0', '777']);
    const [a, b] = await Promise.all([run(), run()]);
    const runs = [a, b];
    // Both started (the proxy released them together); 8 calls are needed, 6 may be made.
    expect(api.length).toBeLessThanOrEqual(POOL);
    expect(api.length).toBeGreaterThanOrEqual(2);
    const budget = JSON.parse(readFileSync(join(dir, 'state', 'budget-zoom.json'), 'utf8')) as {
      used: number;
    };
    expect(budget.used).toBe(api.length);
    const refused = runs.filter((r) => r.code !== 0);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.stderr).toMatch(
        /share of the daily API pool \(6 calls\) is used up|calls? (is|are) left of today's budget/,
      );
      // Stopped midway by the other report's calls: that is the cause named, not Zoom's count.
      if (/stopped after/.test(r.stderr)) {
        expect(r.stderr).toMatch(/other work sharing the budget .* made \d+ calls? since it started/);
        expect(r.stderr).not.toMatch(/understated/);
      }
    }
    // A report that made it counts its own 4 calls, not the other's.
    for (const r of runs.filter((x) => x.code === 0))
      expect((JSON.parse(r.stdout) as { calls: number }).calls).toBe(4);
  }, 120_000);
});
