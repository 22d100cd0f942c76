import type { QosSample } from '../normalize/sample.js';
import type { NormalizeStats } from '../normalize/stats.js';

/** How far ahead of the daemon's clock a sample may be dated (clocks differ a little). */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * The samples not dated more than FUTURE_TOLERANCE_MS ahead of `now` (pushed or polled alike);
 * the others are counted in `stats.samplesFuture`. A sample dated a day ahead would otherwise
 * become its join's newest minute, and every real minute after it late and never judged.
 */
export function notFuture(
  samples: readonly QosSample[],
  now: number,
  stats?: NormalizeStats,
): readonly QosSample[] {
  const limit = now + FUTURE_TOLERANCE_MS;
  if (samples.every((s) => s.time <= limit)) return samples;
  const kept = samples.filter((s) => s.time <= limit);
  if (stats) stats.samplesFuture += samples.length - kept.length;
  return kept;
}
