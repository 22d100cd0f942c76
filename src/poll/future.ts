import type { QosSample } from '../normalize/sample.js';
import type { NormalizeStats } from '../normalize/stats.js';

/** How far ahead of Zoom's clock a sample may be dated. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * The samples not dated more than FUTURE_TOLERANCE_MS ahead of `zoomNow`, Zoom's own clock when
 * it spoke (a push's `event_ts`, a polled answer's `Date`); the others are counted in
 * `stats.samplesFuture`. A sample dated a day ahead would otherwise become its join's newest
 * minute, and every real minute after it late and never judged. Zoom's clock, not the daemon's,
 * where the two differ by seconds; each is bounded by the daemon's (a polled `Date` by
 * zoom/zoom-clock.ts, a push's `event_ts` by webhooks/event-clock.ts).
 */
export function notFuture(
  samples: readonly QosSample[],
  zoomNow: number,
  stats?: NormalizeStats,
): readonly QosSample[] {
  const limit = zoomNow + FUTURE_TOLERANCE_MS;
  if (samples.every((s) => s.time <= limit)) return samples;
  const kept = samples.filter((s) => s.time <= limit);
  if (stats) stats.samplesFuture += samples.length - kept.length;
  return kept;
}
