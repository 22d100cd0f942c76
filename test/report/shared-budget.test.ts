import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/simulator/scenario.js';
import { ZoomSimulator } from '../../src/simulator/server.js';
import { VirtualClock } from '../../src/util/clock.js';
import { fromRoot } from '../../src/util/package-root.js';
import { CLI, runCli, type CliResult } from '../helpers/cli.js';
import type { TestServer } from '../helpers/http-server.js';
import { simProxy } from '../helpers/proxy.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * Several `qoswatch report` processes at once on one state dir, with a daily pool for two of
 * them. Each reserves its calls in the shared budget file before it sends anything: first
 * its cost for one join with the sizing turn, then, after the instance's details, what the
 * participant count foretells. A proxy in front of the simulator holds every details request
 * (a report's first API request) until each report has sent one, said it waits, or exited:
 * the reports decide while the others' first reservations stand, whatever the machine's
 * speed. On the old code (no sizing turn) each took its first reservation and sent its details
 * request; with meetings of more than 10 joins, none could then grow its reservation past the
 * others' and all were refused having spent the details call (outside tester: 0 of 4 finished
 * in 4 of 5 trials).
 */
const dir = mkdtempSync(join(tmpdir(), 'qw-shared-budget-'));
let weekly: ZoomSimulator;
let big: SimHarness;
const sims = new Map<string, { proxy: TestServer; count: () => number; clock: VirtualClock }>();

/** Held details requests (one trial at a time): let go once every report has sent one, waited or exited. */
const race = { holding: false, reports: 0, held: [] as (() => void)[], waiting: 0, exited: 0 };
const maybeRelease = (): void => {
  if (!race.holding || race.held.length + race.waiting + race.exited < race.reports) return;
  race.holding = false;
  for (const go of race.held.splice(0)) go();
};

async function proxied(url: string): Promise<TestServer> {
  return simProxy(url, {
    hold: (r, forward) => {
      if (r.path.startsWith('/oauth/') || r.path.includes('/participants') || !race.holding) return false;
      race.held.push(forward);
      maybeRelease();
      return true;
    },
  });
}

beforeAll(async () => {
  const weeklyClock = new VirtualClock(T0 + 95 * 60_000);
  weekly = new ZoomSimulator(loadScenario(fromRoot('docs', 'report', 'weekly-sync.yaml'), T0), weeklyClock);
  const weeklyUrl = await weekly.listen();
  // Meeting 888: 25 joins, ended. A report of it takes 8 calls (1 + 3 summary + 3 QoS + 1 list).
  big = await startSim(
    { meetings: [{ id: 888, topic: 'All hands', start: '0m', end: '30m', crowd: { count: 25 } }] },
    60 * 60_000,
  );
  sims.set('777', { proxy: await proxied(weeklyUrl), count: () => weekly.apiRequests(), clock: weeklyClock });
  sims.set('888', { proxy: await proxied(big.url), count: () => big.sim.apiRequests(), clock: big.clock });
});
afterAll(async () => {
  for (const { proxy } of sims.values()) await proxy.close();
  await weekly.close();
  await big.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, apiUrl: string, pool: number): { config: string; state: string } {
  const state = join(dir, `state-${name}`);
  const config = join(dir, `config-${name}.yaml`);
  writeFileSync(
    config,
    [
      'zoom:',
      `  api_url: ${apiUrl}`,
      `  oauth_url: ${apiUrl}/oauth/token`,
      '  account_id: any',
      '  client_id: any-id',
      '  client_secret: any-secret',
      '  daily_share: 1',
      '  limits:',
      `    daily_pool: ${pool}`,
      'state:',
      `  dir: ${state}`,
      '',
    ].join('\n'),
  );
  return { config, state };
}

/** A built `qoswatch report` process; the race is told when it says it waits, and when it exits. */
function report(config: string, id: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'report', '--config', config, '--format', 'json', '--reserve', '0', id],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let waited = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!waited && /waiting for another report/.test(stderr)) {
        waited = true;
        race.waiting++;
        maybeRelease();
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (!waited) race.exited++;
      maybeRelease();
      resolve({ code, stdout, stderr });
    });
  });
}

interface Trial {
  runs: CliResult[];
  /** API requests the simulator answered in the trial. */
  zoom: number;
  budget: { used: number; reservations?: unknown[] };
}

/** `n` reports of meeting `id` started together on a fresh state dir with a pool of `pool` calls. */
async function trial(name: string, id: string, n: number, pool: number): Promise<Trial> {
  const sim = sims.get(id)!;
  const { config, state } = writeConfig(name, sim.proxy.url, pool);
  Object.assign(race, { holding: true, reports: n, held: [], waiting: 0, exited: 0 });
  // Zoom's per-second and per-minute windows are on the simulator's clock: each trial in a fresh minute.
  sim.clock.advance(61_000);
  const before = sim.count();
  const runs = await Promise.all(Array.from({ length: n }, () => report(config, id)));
  const file = join(state, 'budget-zoom.json');
  return {
    runs,
    zoom: sim.count() - before,
    budget: existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Trial['budget']) : { used: 0 },
  };
}

describe('the daily budget shared by reports started together', () => {
  it('four reports of a small meeting: those that reserved their calls finish, the others are refused before any call', async () => {
    // A report of meeting 777 takes 4 calls; the pool of 10 has room for two.
    const { runs, zoom, budget } = await trial('small', '777', 4, 10);
    const done = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code !== 0);
    expect(done).toHaveLength(2);
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/a report needs at least 4 API calls, and 2 are left of today's budget/);
      expect(r.stderr).toMatch(/nothing was spent/);
    }
    // Nothing spent by the refused: every call Zoom got is one of the finished reports', within the pool.
    expect(zoom).toBe(8);
    expect(budget.used).toBe(zoom);
    expect(budget.reservations).toBeUndefined(); // each given back (spent) at the end
    // A report that made it counts its own 4 calls, not the other's.
    for (const r of done) expect((JSON.parse(r.stdout) as { calls: number }).calls).toBe(4);
  }, 120_000);

  it('reports of a 25-join meeting on a pool with room for two: two finish, the rest are refused, in every trial', async () => {
    const POOL = 16; // two reports of 8 calls
    const figures: string[] = [];
    for (let t = 0; t < 5; t++) {
      const { runs, zoom, budget } = await trial(`big-${t}`, '888', 4, POOL);
      const done = runs.filter((r) => r.code === 0);
      const refused = runs.filter((r) => r.code !== 0);
      figures.push(
        `trial ${t}: ${done.length} done, ${refused.length} refused, Zoom ${zoom}, file ${budget.used}`,
        ...refused.map((r) => r.stderr),
      );
      // 0 of 4 finished on the old code: each was refused growing its reservation after the details call.
      expect(done, figures.join('\n')).toHaveLength(2);
      for (const r of done) expect((JSON.parse(r.stdout) as { calls: number }).calls).toBe(8);
      for (const r of refused) {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/ZOOM_BUDGET_EXHAUSTED|today's budget/);
      }
      // Never over the pool; the file counts every call Zoom got; the refused spent nothing.
      expect(zoom).toBeLessThanOrEqual(POOL);
      expect(budget.used).toBe(zoom);
      expect(zoom).toBe(16);
      expect(budget.reservations).toBeUndefined();
    }
  }, 300_000);

  it('a report gives back what it reserved and did not spend, on every exit path (outside tester: --live left 3)', async () => {
    const { config, state } = writeConfig('live', sims.get('777')!.proxy.url, 100);
    for (const args of [['--live'], []]) {
      await runCli(['report', '--config', config, '--format', 'json', '--reserve', '0', ...args, '777']);
      const budget = JSON.parse(readFileSync(join(state, 'budget-zoom.json'), 'utf8')) as {
        reservations?: unknown[];
      };
      expect(budget.reservations).toBeUndefined();
    }
  }, 60_000);
});
