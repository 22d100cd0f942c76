import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import type { ZoomClient } from '../../src/zoom/client.js';
import { meetingWith, s2sClient, startSim, T0, type SimHarness, meetingQos } from '../helpers/sim.js';

/**
 * Zoom's own count (`X-RateLimit-Remaining: 0` of the daily pool) stops every call until the
 * pool's reset: Zoom's 00:00 UTC, on Zoom's clock as its answers' `Date` says (within
 * ZoomClock's 5 minutes of ours). It held until OUR clock's midnight: with Zoom 3 minutes
 * behind us, the first call after our midnight went out into Zoom's empty pool (a 429), with
 * Zoom 3 minutes ahead every call stayed held 3 minutes after Zoom's reset.
 */
const MIN = 60_000;
/** Zoom's (the simulator's) midnight after T0's day. */
const ZOOM_MIDNIGHT = Date.parse('2026-11-21T00:00:00Z');

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A simulator at Zoom's 23:50 with a daily pool of 3, spent by a client whose clock is `aheadMs` ahead of Zoom's. */
async function spentPool(aheadMs: number): Promise<{ client: ZoomClient; ours: VirtualClock }> {
  h = await startSim({ meetings: [meetingWith(1)], limits: { daily: 3 } }, ZOOM_MIDNIGHT - 10 * MIN - T0);
  const ours = new VirtualClock(h.clock.now() + aheadMs);
  const client = s2sClient(h, { clock: ours });
  for (let i = 0; i < 3; i++) await meetingQos(client);
  await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_DAILY_LIMIT' });
  expect(h.sim.limits.refused.daily).toBe(0); // Zoom's count stopped it, not a 429
  return { client, ours };
}

/** Both clocks to `zoomAt` on Zoom's clock. */
function advance(ours: VirtualClock, zoomAt: number): void {
  ours.advanceTo(zoomAt + ours.now() - h!.clock.now());
  h!.clock.advanceTo(zoomAt);
}

describe("Zoom's empty daily pool holds until Zoom's 00:00 UTC, by its answers' Date", () => {
  it('Zoom 3 minutes behind us: still held past our midnight, no call into the empty pool', async () => {
    const { client, ours } = await spentPool(3 * MIN);
    expect(client.budget.blocked).toBe(ZOOM_MIDNIGHT + 3 * MIN);
    advance(ours, ZOOM_MIDNIGHT - 2 * MIN); // our 00:01, Zoom's 23:58
    expect(client.budget.blocked).toBe(ZOOM_MIDNIGHT + 3 * MIN);
    const sent = h!.sim.apiRequests();
    await expect(meetingQos(client)).rejects.toMatchObject({ code: 'ZOOM_DAILY_LIMIT' });
    expect(h!.sim.apiRequests()).toBe(sent);
    expect(h!.sim.limits.refused.daily).toBe(0);
    advance(ours, ZOOM_MIDNIGHT + 1000);
    expect(client.budget.blocked).toBe(0);
    await expect(meetingQos(client)).resolves.toHaveProperty('participants');
  });

  it("Zoom 3 minutes ahead of us: calls resume at Zoom's reset, 3 minutes before our midnight", async () => {
    const { client, ours } = await spentPool(-3 * MIN);
    expect(client.budget.blocked).toBe(ZOOM_MIDNIGHT - 3 * MIN);
    advance(ours, ZOOM_MIDNIGHT + 1000); // our 23:57:01
    expect(client.budget.blocked).toBe(0);
    await expect(meetingQos(client)).resolves.toHaveProperty('participants');
    expect(h!.sim.limits.refused.daily).toBe(0);
  });
});
