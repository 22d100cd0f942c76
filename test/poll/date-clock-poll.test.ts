import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NormalizeStats } from '../../src/normalize/stats.js';
import { VirtualClock } from '../../src/util/clock.js';
import type { DateClockMode } from '../../src/zoom/zoom-clock.js';
import { meetingScheduler } from '../helpers/scheduler.js';
import { startSim, type SimHarness } from '../helpers/sim.js';

/**
 * `zoom.date_clock`: a simulator run ahead of real time in another process (`qoswatch simulate
 * --speed N`, the reliability storms) dates its answers and samples hours ahead of the daemon's
 * clock. With `local` (default) that Date is not taken and the samples are refused as future
 * (an answer dated a day ahead must not blind a join: future-poll.test.ts); with `zoom` the Date
 * is followed and the samples are taken, as before stop 38.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;

let h: SimHarness;

beforeAll(async () => {
  h = await startSim(
    {
      seed: 'date-clock-poll',
      qos_window: '10m',
      meetings: [
        {
          id: 85100000002,
          uuid: 'date/clock==',
          topic: 'Ahead',
          start: '0m',
          end: '4h',
          participants: [{ key: 'ann', id: 'u-ann', user_id: '201', name: 'Ann' }],
        },
      ],
    },
    10 * MIN,
  );
});
afterAll(async () => {
  await h.close();
});

/** One cycle of a daemon whose clock is two hours behind the simulator's, with `dateClock`. */
async function pollAhead(dateClock?: DateClockMode) {
  const stats = new NormalizeStats();
  const r = meetingScheduler(h.url, new VirtualClock(h.clock.now() - 2 * HOUR), {
    stats,
    ...(dateClock ? { dateClock } : {}),
  });
  await r.scheduler.cycle(new AbortController().signal);
  const samples = r.events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
  return { samples, stats, skewed: r.source.client.stats.dateSkewed };
}

describe('zoom.date_clock against a simulator two hours ahead of the daemon', () => {
  it('local (default): the Date is not taken, the samples are refused as future and counted', async () => {
    const { samples, stats, skewed } = await pollAhead();
    expect(samples).toHaveLength(0);
    expect(stats.samplesFuture).toBeGreaterThan(5);
    expect(skewed).toBeGreaterThan(0);
  });

  it("zoom: the Date is followed and the simulator's samples are taken", async () => {
    const { samples, stats, skewed } = await pollAhead('zoom');
    // Before date_clock (f14df5c alone) nothing was taken here: the storms' daemons saw no sample.
    expect(samples.length).toBeGreaterThan(5);
    expect(stats.samplesFuture).toBe(0);
    expect(skewed).toBe(0);
  });
});
