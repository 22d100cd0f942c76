/**
 * Whether work done every `everyMs` (a context refresh, a discovery) is due at this poll, `age`
 * after it was last done: when the age reaches the period, less a tenth of it (at most 30 s).
 * Polls come every interval give or take the time their calls took, and a timer may wake a
 * little early (by a millisecond on the system clock, by the speed-up factor on a scaled one):
 * without the slack, work due every poll slipped to every other poll (a 60 s discovery at a
 * 60 s interval ran every 120 s), and a 5-minute refresh polled every minute to 6 minutes.
 */
export function isDue(age: number, everyMs: number): boolean {
  return age >= everyMs - Math.min(30_000, everyMs / 10);
}
