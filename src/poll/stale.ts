import type { QosSample } from '../normalize/sample.js';

/**
 * The samples dated at most `gapToleranceMs` (`rules.gap_tolerance`) before `zoomNow`, Zoom's
 * own clock when it sent them (a push's `event_ts` as far as its signed request timestamp
 * allows: webhooks/event-clock.ts). An older sample is not live: the rules count no reading that
 * old at the current minute, and Zoom's retry (at +20 or +60 minutes) of an event qoswatch never
 * got would otherwise become the newest minute of a join or an instance not seen yet, start an
 * alert's `for` and fire it for a moment long past, or a call that is over. Zoom's clock, not the
 * daemon's, as in future.ts: records handed on again from the spool after a restart are judged
 * by the clock they were received at, and a simulator's scenario clock by its own.
 */
export function notStale(
  samples: readonly QosSample[],
  zoomNow: number,
  gapToleranceMs: number,
): readonly QosSample[] {
  const limit = zoomNow - gapToleranceMs;
  return samples.every((s) => s.time >= limit) ? samples : samples.filter((s) => s.time >= limit);
}
