import { afterEach, describe, expect, it } from 'vitest';
import { daemonFor, runUntil } from '../helpers/daemon.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

let h: SimHarness;
afterEach(async () => h.close());

describe('the scheduler on a short budget', () => {
  it('rotates instances so none starves and never goes over its share', async () => {
    const meetings = Array.from({ length: 12 }, (_, i) => ({
      id: 83000000000 + i,
      uuid: `b-${i}==`,
      crowd: { count: 30, prefix: `b${i}-` },
    }));
    h = await startSim({ meetings, qos_window: '15m' }, 0);
    // 12 meetings x 3 calls = 36 calls a full cycle. A pool of 8,640 a day at a 50% share, spread over
    // the 14 hours left of the UTC day, is about 5 calls a minute: a full cycle needs about 7 minutes,
    // so with a 4-minute max interval each cycle polls about half.
    const { daemon } = daemonFor(h, (c) => {
      c.zoom!.limits = { ...c.zoom!.limits, dailyPool: 8640 };
      c.zoom!.dailyShare = 0.5;
      c.poll.maxIntervalMs = 4 * 60_000;
      c.poll.discoveryIntervalMs = 10 * 60_000;
      c.poll.freshAgeMs = 3 * 60_000;
      c.sources = { meetings: true, webinars: false, sessions: false };
    });
    const polledAt = new Map<string, number[]>();
    h.sim.onServe = ({ instance, at }) =>
      polledAt.set(instance.uuid, [...(polledAt.get(instance.uuid) ?? []), at]);
    await runUntil(daemon, h, T0 + 2 * 3_600_000);
    const plan = daemon.parts.scheduler.lastPlan(daemon.parts.clients.zoom!)!;
    expect(plan.intervalMs).toBe(4 * 60_000);
    expect(plan.fullCycleMs).toBeGreaterThan(6 * 60_000);
    // Every meeting polled again and again, at most ~3 cycles apart.
    for (const m of meetings) {
      const times = [...new Set((polledAt.get(m.uuid) ?? []).map((t) => Math.floor(t / 60_000)))];
      expect(times.length, m.uuid).toBeGreaterThanOrEqual(12);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(2 * 4 + 1);
    }
    expect(h.sim.limits.dailyUsed('demo-account', h.clock.now())).toBeLessThanOrEqual(4320);
    expect(daemon.parts.scheduler.lastCycle!.deferred).toBeGreaterThan(0);
    expect(daemon.parts.scheduler.lastCycle!.coverage.ratio).toBeLessThan(1);
    // Two hours of scenario: about 40 s alone, over 60 s on a 2-core machine shared with other work.
  }, 180_000);
});
