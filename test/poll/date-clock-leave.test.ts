import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/util/clock.js';
import type { DateClockMode } from '../../src/zoom/zoom-clock.js';
import { meetingScheduler } from '../helpers/scheduler.js';
import { startSim, T0, type SimHarness } from '../helpers/sim.js';

/**
 * A signed-in participant's leave under `zoom.date_clock` (hT44 F7). Her leave is held for the
 * 3-minute rejoin grace, then reported `left`. The grace compared this machine's clock with
 * Zoom's `leave_time`: with `date_clock: zoom` and a simulator two hours ahead (`qoswatch
 * simulate --speed N`, as docs/examples/simulator.yaml runs it) it never ran out, and her
 * alerts never resolved. Now it runs on Zoom's clock as the answers give it, the clock the
 * samples are judged by.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const LEAVE = 6;

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * A poll each minute from minute 3 to 14, the daemon's clock `behind` the simulator's: the
 * minutes at which Ann was reported left.
 */
async function annLeft(dateClock: DateClockMode, behind: number): Promise<number[]> {
  const sim = (h = await startSim(
    {
      seed: 'date-clock-leave',
      qos_window: '10m',
      meetings: [
        {
          id: 85100000003,
          uuid: 'date/leave==',
          topic: 'Leaving',
          start: '0m',
          end: '4h',
          participants: [
            { key: 'ann', id: 'u-ann', user_id: '301', name: 'Ann', leave: `${LEAVE}m` },
            { key: 'bob', id: 'u-bob', user_id: '302', name: 'Bob' },
          ],
        },
      ],
    },
    3 * MIN,
  ));
  const daemon = new VirtualClock(T0 + 3 * MIN - behind);
  const r = meetingScheduler(sim.url, daemon, { dateClock });
  const left: number[] = [];
  for (let m = 3; m <= 14; m++) {
    sim.clock.advanceTo(T0 + m * MIN);
    daemon.advanceTo(T0 + m * MIN - behind);
    const from = r.events.length;
    await r.scheduler.cycle(new AbortController().signal);
    for (const e of r.events.slice(from)) if (e.type === 'left' && e.participant === '301') left.push(m);
  }
  return left;
}

describe('a signed-in participant who leaves, under zoom.date_clock', () => {
  it('local, clocks together: reported left once the 3-minute rejoin grace has passed', async () => {
    expect(await annLeft('local', 0)).toEqual([LEAVE + 3]);
  });

  it('zoom, the simulator two hours ahead: the same (the grace runs on Zoom’s clock)', async () => {
    // Old code: [] (held for ever: this machine's clock is two hours before her leave_time).
    expect(await annLeft('zoom', 2 * HOUR)).toEqual([LEAVE + 3]);
  });
});
