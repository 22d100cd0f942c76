import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.js';
import { Daemon } from '../../src/app/daemon.js';
import type { PipelineEvent } from '../../src/normalize/events.js';
import type { RawScenario } from '../../src/simulator/scenario.js';
import { daemonFor, holdClockInCycles } from '../helpers/daemon.js';
import { captureLog } from '../helpers/log.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * A small daily share against the simulator over HTTP, on the virtual clock: the outside
 * tester's setup (a pool of 2,000, `daily_share` 0.5, `discovery_interval` 20s). Before the
 * fix the planner kept back a call per source for a discovery every 20 s until midnight (5,040
 * each from 10:00) while discovery ran once a 10-minute cycle: nothing was left for polls, no
 * instance was ever polled, coverage said 100% and nothing was logged.
 */
const people = (n: number): { user_id: string; name: string }[] =>
  Array.from({ length: n }, (_, i) => ({ user_id: String(16778240 + i), name: `P${i}` }));
const SCENARIO: RawScenario = {
  meetings: [
    { id: 101, uuid: 'm-a==', topic: 'Standup', start: '0m', end: '60m', participants: people(3) },
    { id: 102, uuid: 'm-b==', topic: 'Review', start: '0m', end: '60m', participants: people(3) },
  ],
  webinars: [
    { id: 201, uuid: 'w-a==', topic: 'Launch', start: '0m', end: '60m', participants: people(3) },
    { id: 202, uuid: 'w-b==', topic: 'Town hall', start: '0m', end: '60m', participants: people(3) },
  ],
};
const UUIDS = ['m-a==', 'm-b==', 'w-a==', 'w-b=='];

function budgetConfig(share: number): (c: Config) => void {
  return (c) => {
    c.zoom!.limits = { ...c.zoom!.limits, dailyPool: 2000 };
    c.zoom!.dailyShare = share;
    c.sources = { meetings: true, webinars: true, sessions: false };
    c.poll = { ...c.poll, minIntervalMs: 20_000, discoveryIntervalMs: 20_000, maxIntervalMs: 600_000 };
  };
}

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function run(share: number, minutes: number) {
  h = await startSim(SCENARIO, 0);
  const { daemon: template } = daemonFor(h, budgetConfig(share));
  const { log, lines } = captureLog('info');
  const events: PipelineEvent[] = [];
  const daemon = holdClockInCycles(
    new Daemon(template.parts.config, { clock: h.clock, log, sinks: [{ handle: (e) => events.push(e) }] }),
    h,
  );
  const cycles: number[] = [];
  const stop = new AbortController();
  await daemon.run(stop.signal, (r) => {
    cycles.push(r.startedAt);
    if (h!.clock.now() >= T0 + minutes * 60_000) stop.abort();
  });
  const polled = new Set(events.flatMap((e) => (e.type === 'polled' ? [e.instance.uuid] : [])));
  const scheduler = daemon.parts.scheduler;
  return { polled, cycles, lines, coverage: scheduler.coverage.report(h.clock.now()) };
}

describe('a daily share too small for the discovery interval', () => {
  it('polls every instance: discovery is kept back at the pace it runs, once a cycle', async () => {
    const r = await run(0.5, 20);
    // 1,000 calls a day, 10:00 to midnight: 2 lists and 4 polls a cycle pay for one every 5 min.
    expect([...r.polled].sort()).toEqual(UUIDS.sort());
    expect(r.coverage.ratio).toBe(1);
    // Within the share's pace: 6 calls a cycle, cycles no closer than 6 x 14 h / 1,000 (302.4 s).
    expect(r.cycles).toHaveLength(5);
    for (let i = 1; i < r.cycles.length; i++)
      expect(r.cycles[i]! - r.cycles[i - 1]!).toBeGreaterThanOrEqual((6 * 14 * 3_600_000) / 1000);
    expect(h!.sim.requests.get('list 200')).toBe(2 * 5);
    expect(h!.sim.requests.get('qos 200')).toBe(4 * 5);
    expect(r.lines.filter((l) => l.level === 40 && /daily_share/.test(l.msg))).toEqual([]);
  }, 60_000);

  it('counts never-polled instances as uncovered and says once what the share lacks', async () => {
    // 20 calls a day: not even discovery each 10-minute cycle; no poll fits.
    const r = await run(0.01, 30);
    expect(r.polled.size).toBe(0);
    expect(r.coverage).toMatchObject({ live: 12, fresh: 0, ratio: 0 });
    const warnings = r.lines.filter((l) => l.level === 40 && /daily_share/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ available: 20, discovery: 288, polls: 576, needed: 864 });
    expect(warnings[0]!.msg).toContain('gives 20 calls a day');
    expect(warnings[0]!.msg).toContain('needs 864');
    expect(warnings[0]!.msg).toContain('raise zoom.daily_share from 0.01 to 0.44');
    expect(warnings[0]!.msg).toContain('raise poll.max_interval to 7h12m');
  }, 60_000);
});
