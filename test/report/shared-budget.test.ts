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
 * Four `qoswatch report` processes at once on one state dir, with a daily pool for two of them
 * (a report of meeting 777 takes 4 calls; the pool is 10). Each reserves its calls in the
 * shared budget file before it sends anything. A proxy in front of the simulator holds the
 * first API request of every report that got past its reservation until each of the four has
 * either sent one or exited, so the reports that got a reservation still hold it while the
 * others decide, whatever the machine's speed. Two finish; two are refused at once, having sent
 * nothing (before reservations, four reports at once spent the pool and could all stop midway).
 * The calls made never exceed the pool, the shared file counts every call Zoom received, and
 * each report counts only its own calls.
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-shared-budget-'));
const POOL = 10;
const REPORTS = 4;
let sim: ZoomSimulator;
let proxy: TestServer;
let simUrl = '';
const api: string[] = [];
const held: (() => void)[] = [];
let exited = 0;
/** Lets the held requests go once every report has sent its first request or exited. */
const maybeRelease = (): void => {
  if (held.length + exited < REPORTS) return;
  for (const go of held.splice(0)) go();
};

beforeAll(async () => {
  sim = new ZoomSimulator(
    loadScenario(fromRoot('docs', 'report', 'weekly-sync.yaml'), T0),
    new VirtualClock(T0 + 95 * 60_000),
  );
  simUrl = await sim.listen();
  let first = 0;
  proxy = await simProxy(simUrl, {
    hold: (r, forward) => {
      if (r.path.startsWith('/oauth/')) return false;
      api.push(r.path);
      // A report's first API request is the instance's details, alone: one per report.
      if (r.path.includes('/participants') || first >= REPORTS) return false;
      first++;
      held.push(forward);
      maybeRelease();
      return true;
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the daily budget shared by four processes', () => {
  it('four reports at once: those that reserved their calls finish, the others are refused before any call', async () => {
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
      runCli(['report', '--config', config, '--format', 'json', '--reserve', '0', '777']).then((r) => {
        exited++;
        maybeRelease();
        return r;
      });
    const runs = await Promise.all(Array.from({ length: REPORTS }, run));
    const done = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code !== 0);
    // 16 calls are needed, 10 may be made: two reports of 4.
    expect(done).toHaveLength(2);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/a report needs about 4 API calls, and 2 are left of today's budget/);
      expect(r.stderr).toMatch(/nothing was spent/);
    }
    // Nothing spent by the refused: every call Zoom got is one of the finished reports', within the pool.
    expect(api.length).toBe(8);
    expect(api.length).toBeLessThanOrEqual(POOL);
    const budget = JSON.parse(readFileSync(join(dir, 'state', 'budget-zoom.json'), 'utf8')) as {
      used: number;
      reservations?: unknown[];
    };
    expect(budget.used).toBe(api.length);
    expect(budget.reservations).toBeUndefined(); // each given back (spent) at the end
    // A report that made it counts its own 4 calls, not the other's.
    for (const r of done) expect((JSON.parse(r.stdout) as { calls: number }).calls).toBe(4);
  }, 120_000);

  it('a report gives back what it reserved and did not spend, on every exit path (outside tester: --live left 3)', async () => {
    const state = join(dir, 'state-live');
    const config = join(dir, 'config-live.yaml');
    writeFileSync(
      config,
      [
        'zoom:',
        `  api_url: ${simUrl}`,
        `  oauth_url: ${simUrl}/oauth/token`,
        '  account_id: any',
        '  client_id: any-id',
        '  client_secret: any-secret',
        '  daily_share: 1',
        '  limits:',
        '    daily_pool: 100',
        'state:',
        `  dir: ${state}`,
        '',
      ].join('\n'),
    );
    for (const args of [['--live'], []]) {
      await runCli(['report', '--config', config, '--format', 'json', '--reserve', '0', ...args, '777']);
      const budget = JSON.parse(readFileSync(join(state, 'budget-zoom.json'), 'utf8')) as {
        reservations?: unknown[];
      };
      expect(budget.reservations).toBeUndefined();
    }
  }, 60_000);
});
