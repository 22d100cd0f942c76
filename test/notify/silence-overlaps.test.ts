import { describe, expect, it } from 'vitest';
import { compileSilence, silenceOverlaps } from '../../src/notify/mute.js';
import { silenceOverlapsByMinute } from '../helpers/silence-minute-walk.js';
import { seeded } from '../helpers/storm.js';

/**
 * silenceOverlaps looked at each minute of an episode (a week: 10,080 asks, 22 ms an alert at
 * each flush); it now jumps to the window's next start. The same answers as the minute walk
 * (test/helpers/silence-minute-walk.ts) on random recurring windows, zones with and without
 * daylight saving (Lord Howe's is 30 minutes), and spans across their changes.
 */
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/Santiago',
];
// Around daylight-saving changes of 2026 (Europe 29 March and 25 October, US 8 March and 1 November).
const AROUND = [
  '2026-03-07T12:00:00Z',
  '2026-03-28T12:00:00Z',
  '2026-04-04T00:00:00Z',
  '2026-10-24T12:00:00Z',
  '2026-10-31T12:00:00Z',
  '2026-06-01T00:00:00Z',
].map(Date.parse);

describe('silenceOverlaps jumps to the next start of a recurring window', () => {
  it.each([1, 7, 42, 777, 4242])(
    'answers as the minute walk on random windows and spans (seed %i)',
    (seed) => {
      const random = seeded(seed);
      const int = (n: number): number => Math.floor(random() * n);
      let yes = 0;
      for (let i = 0; i < 150; i++) {
        const days = [0, 1, 2, 3, 4, 5, 6].filter(() => random() < 0.3);
        // Short windows near the hours a clock changes at (01:00-03:30), and any others.
        const start = random() < 0.5 ? 60 + int(150) : int(1440);
        const end = random() < 0.5 ? (start + 1 + int(90)) % 1440 : int(1440);
        const s = compileSilence({
          matchers: {},
          recurring: { days, start, end, zone: ZONES[int(ZONES.length)]! },
          comment: '',
        });
        const from = AROUND[int(AROUND.length)]! + int(3 * 86_400_000) + int(60_000);
        const to = from + int(random() < 0.2 ? 8 * 86_400_000 : 2 * 86_400_000);
        const want = silenceOverlapsByMinute(s, from, to);
        if (want) yes++;
        expect(silenceOverlaps(s, from, to), `${JSON.stringify(s.recurring)} ${from} ${to}`).toBe(want);
      }
      // Both answers come up, or the comparison says little.
      expect(yes).toBeGreaterThan(10);
      expect(yes).toBeLessThan(140);
    },
  );

  it('a window in the hour a clock skips is met where the walk met it (02:30-03:30 on a spring-forward night)', () => {
    const s = compileSilence({
      matchers: {},
      recurring: { days: [0], start: 150, end: 210, zone: 'Europe/Berlin' },
      comment: '',
    });
    // Sunday 29 March 2026: 02:00 Berlin is 03:00; 00:30Z is 01:30 local, 01:00Z is 03:00 local.
    const from = Date.parse('2026-03-28T22:00:00Z');
    expect(silenceOverlaps(s, from, Date.parse('2026-03-29T00:59:00Z'))).toBe(false);
    expect(silenceOverlaps(s, from, Date.parse('2026-03-29T01:00:00Z'))).toBe(true);
    expect(silenceOverlapsByMinute(s, from, Date.parse('2026-03-29T01:00:00Z'))).toBe(true);
  });
});
