import { afterEach, describe, expect, it } from 'vitest';
import { meetingSource, meetingWith, startSim, type SimHarness } from '../helpers/sim.js';

/**
 * Outside tester hT41 (LOW): live lists were asked with `from` = yesterday ("a live meeting
 * cannot be older than a day and a bit"), but a meeting may last 30 hours: one started at 23:00
 * UTC two days ago is still live today. Whether Zoom's live list leaves out what started
 * before `from` is undocumented; the simulator does (the stricter reading), so the old range
 * missed the meeting.
 */
const H = 3_600_000;
let h: SimHarness;
afterEach(async () => {
  await h.close();
});

describe('the live meetings list', () => {
  it('finds a 30-hour meeting that started late two UTC days ago, in one call', async () => {
    h = await startSim(
      {
        start: '2026-11-18T23:00:00Z',
        meetings: [meetingWith(2, { uuid: 'long-call==', start: '0m', end: '31h' })],
      },
      30 * H, // 2026-11-20 05:00 UTC
    );
    const source = meetingSource(h);
    const { live } = await source.discover();
    // Old code: from 2026-11-19, and the meeting of the 18th was not listed.
    expect(live.map((l) => l.ref.uuid)).toEqual(['long-call==']);
    expect(h.sim.apiRequests()).toBe(1);
  });
});
