import type { EngineContext } from './context.js';
import { groupSeriesId, type GroupMembers, type SeriesRecord } from './series.js';

/**
 * Firing meeting and shared-cause alerts: how many of their members left the group while
 * breaching (left the meeting, its meeting ended, or their reading moved to another group)
 * since the alert last breached or stopped recovering. Read when the alert resolves
 * (render-alert.ts): a group whose breaching members left, the rest healthy, did not recover,
 * and its resolve says who left. Not saved: after a restart a resolve reads as a recovery.
 */
const departed = new WeakMap<SeriesRecord, number>();

/** The breaching members that left the alert's group (see `departed`). */
export const departedOf = (rec: SeriesRecord): number => departed.get(rec) ?? 0;

/**
 * The member in `slot` leaves group `key` of `rule`: counted when its reading breached and the
 * group's alert fires.
 */
export function noteDeparture(
  ctx: EngineContext,
  rule: string,
  key: string,
  group: GroupMembers,
  slot: number,
): void {
  if (!group.get(slot)?.breaching) return;
  const rec = ctx.series.get(groupSeriesId(rule, key));
  if (rec?.state === 'firing') departed.set(rec, departedOf(rec) + 1);
}

/** A firing group alert observed breaching, or not recovering: those who left before do not explain its resolve. */
export function stillBreaching(rec: SeriesRecord): void {
  if (rec.state === 'firing' && rec.recoveringSince === undefined) departed.delete(rec);
}
