import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerZoomMetrics } from '../../src/export/collectors/zoom.js';
import type { ZoomClient } from '../../src/zoom/client.js';
import { meetingWith, s2sClient, startSim, type SimHarness, meetingQos } from '../helpers/sim.js';

/**
 * qoswatch_zoom_daily_limit_blocked_seconds while Zoom's own count (X-RateLimit-Remaining of the
 * daily pool) says the pool is empty: every call stops until 00:00 UTC as after a daily-limit
 * 429, but the gauge said 0 (it read only a 429's hold) and its help named only the 429.
 */
let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function gauge(client: ZoomClient, now: number): Promise<{ value: number; help: string }> {
  const registry = new Registry();
  registerZoomMetrics(
    registry,
    () => [['zoom', client]],
    () => now,
  );
  const m = await registry.getSingleMetric('qoswatch_zoom_daily_limit_blocked_seconds')!.get();
  return { value: m.values.find((v) => v.labels.account === 'zoom')!.value, help: m.help };
}

describe("the daily-limit gauge and Zoom's own count", () => {
  it('shows the seconds to 00:00 UTC while X-RateLimit-Remaining says the pool is empty, and 0 after the reset', async () => {
    h = await startSim({ meetings: [meetingWith(1)], limits: { daily: 3 } });
    const client = s2sClient(h);
    expect((await gauge(client, h.clock.now())).value).toBe(0);
    for (let i = 0; i < 3; i++) await meetingQos(client);
    await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_DAILY_LIMIT' });
    expect(h.sim.limits.refused.daily).toBe(0); // no 429: Zoom's count stopped it
    const reset = Date.parse('2026-11-21T00:00:00Z');
    expect(client.budget.blocked).toBe(reset);
    const shown = await gauge(client, h.clock.now());
    expect(shown.value).toBe((reset - h.clock.now()) / 1000);
    expect(shown.help).toContain('X-RateLimit-Remaining');
    h.clock.advanceTo(reset + 1000);
    expect((await gauge(client, h.clock.now())).value).toBe(0);
    expect(client.budget.blocked).toBe(0);
  });
});
