import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConfig } from '../../src/cli/demo-config.js';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { DashboardSource } from '../../src/poll/dashboard-source.js';
import { plan, type Plan } from '../../src/poll/planner.js';
import { Scheduler } from '../../src/poll/scheduler.js';
import { silentLogger } from '../../src/util/logger.js';
import { PLAN_DEFAULTS } from '../../src/zoom/limits.js';
import type { ZoomClient } from '../../src/zoom/client.js';
import { s2sClient, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * h20b's two planner LOWs, against the simulator over HTTP on the virtual clock: meetings and
 * webinars on, one meeting of 50 live (5 QoS calls), and a share that allows 4.57 calls a
 * 10-minute cycle. (a) The discovery reserve counted only the sources with an instance live:
 * one call a discovery for two lists, so the cycle was given 5 calls, not 4. (b) The first
 * instance always went: 5 calls in a cycle allowed 4. Now a cycle saves its share for the head
 * of the queue and polls it at the next one.
 */
const MIN = 60_000;
let h: SimHarness;
let client: ZoomClient;
let scheduler: Scheduler;
/** Per cycle: the plan, the QoS calls the simulator served, the budget left after it. */
const cycles: { plan: Plan; qos: number; remaining: number; at: number }[] = [];

beforeAll(async () => {
  h = await startSim({
    seed: 'cycle-share',
    meetings: [
      {
        id: 85500000001,
        uuid: 'fifty==',
        topic: 'Fifty',
        start: '0m',
        end: '3h',
        crowd: { count: 50, prefix: 'p-', join: '0m', muted_share: 0 },
      },
    ],
  });
  // 552 calls: the first discovery's 2 lists leave 550 for the rest of the day from 10:05.
  client = s2sClient(h, { limits: { ...PLAN_DEFAULTS.business, dailyPool: 552 } });
  const stats = new NormalizeStats();
  const log = silentLogger();
  const config = demoConfig(h.url, '/nonexistent', 0);
  scheduler = new Scheduler({
    sources: [
      new DashboardSource('meeting', client, h.clock, stats, log, 30 * MIN),
      new DashboardSource('webinar', client, h.clock, stats, log, 30 * MIN),
    ],
    clock: h.clock,
    log,
    sink: { handle: () => undefined },
    poll: { ...config.poll, minIntervalMs: MIN, discoveryIntervalMs: MIN, maxIntervalMs: 10 * MIN },
    gapToleranceMs: config.rules.gapToleranceMs,
  });
  for (let i = 0; i < 3; i++) {
    const before = h.sim.requests.get('qos 200') ?? 0;
    const at = h.clock.now();
    const r = await scheduler.cycle(new AbortController().signal);
    cycles.push({
      plan: scheduler.lastPlan(client)!,
      qos: (h.sim.requests.get('qos 200') ?? 0) - before,
      remaining: client.budget.remaining(),
      at,
    });
    h.clock.advance(r.intervalMs);
  }
}, 60_000);
afterAll(() => h.close());

describe("one cycle's share of a small daily budget", () => {
  it('keeps a call back for each source at each discovery, also for a source with nothing live', () => {
    const first = cycles[0]!;
    expect(first.plan.intervalMs).toBe(10 * MIN);
    const input = {
      now: first.at,
      candidates: [{ key: 'meeting:fifty==', cost: 5, participants: 50, alerting: false }],
      budgetRemaining: first.remaining + first.qos,
      msUntilReset: Date.parse('2026-11-21T00:00:00Z') - first.at,
      discoveryIntervalMs: MIN,
      heavyPerSecond: client.limiters.Heavy.limit,
      minIntervalMs: MIN,
      maxIntervalMs: 10 * MIN,
    };
    expect(input.budgetRemaining).toBe(550);
    // Two lists a 10-minute cycle until midnight: 168 calls kept back, 382 over 83.5 cycles.
    expect(first.plan.allowedCalls).toBe(plan({ ...input, discoverySources: 2 }).allowedCalls);
    expect(first.plan.allowedCalls).toBe(4);
    expect(plan({ ...input, discoverySources: 1 }).allowedCalls).toBe(5);
  });

  it('never spends more than a cycle allows: saves one share for the 5-call meeting, then polls it', () => {
    for (const c of cycles) expect(c.qos).toBeLessThanOrEqual(c.plan.allowedCalls);
    expect(cycles.map((c) => c.qos)).toEqual([0, 5, 0]);
    expect(cycles[0]!.plan.credit).toBeGreaterThan(4);
    expect(cycles[1]!.plan.allowedCalls).toBeGreaterThanOrEqual(5);
  });
});
