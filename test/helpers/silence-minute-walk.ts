import { compileSilence, silenceActive } from '../../src/notify/mute.js';

type Silence = ReturnType<typeof compileSilence>;

/**
 * silenceOverlaps as it was before it jumped to a window's next start: `from` and each UTC
 * minute boundary after it up to `to` looked at in turn (a week or more meets every window that
 * has a day). The reference the jumping one is compared with (test/notify/silence-overlaps.test.ts,
 * test/bench/silence-overlaps.bench.ts).
 */
export function silenceOverlapsByMinute(s: Silence, from: number, to: number): boolean {
  const start = Math.max(from, s.startsAt ?? from);
  const end = Math.min(to, s.endsAt === undefined ? to : s.endsAt - 1);
  if (start > end) return false;
  if (!s.recurring) return true;
  if (end - start >= 7 * 86_400_000)
    return s.recurring.days.size > 0 && s.recurring.start !== s.recurring.end;
  for (let t = start; t <= end; t = (Math.floor(t / 60_000) + 1) * 60_000)
    if (silenceActive(s, t)) return true;
  return false;
}
