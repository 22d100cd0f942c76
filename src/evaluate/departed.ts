import type { EngineContext } from './context.js';
import { groupSeriesId, type Departed, type GroupMembers, type SeriesRecord } from './series.js';

/**
 * The member in `slot` leaves group `key` of `rule`, having left its meeting (`left`) or moved
 * out of the group (`moved`): counted in the group alert's `departed` (series.ts) when its
 * reading breached and the alert fires. Read when the alert resolves (alert-changes.ts,
 * render-alert.ts): a group whose breaching members left or moved out, the rest healthy, did
 * not recover, and its resolve says who left or moved since it fired.
 */
export function noteDeparture(
  ctx: EngineContext,
  rule: string,
  key: string,
  group: GroupMembers,
  slot: number,
  how: 'left' | 'moved',
): void {
  if (!group.get(slot)?.breaching) return;
  const rec = ctx.series.get(groupSeriesId(rule, key));
  if (rec?.state !== 'firing') return;
  const d = rec.departed ?? { left: 0, moved: 0 };
  rec.departed = { ...d, [how]: d[how] + 1, fresh: true };
  ctx.series.changed();
}

/**
 * A firing group alert observed breaching, or not recovering: those who left before do not
 * explain its resolve (they are still counted, should later ones).
 */
export function stillBreaching(ctx: EngineContext, rec: SeriesRecord): void {
  if (rec.state !== 'firing' || rec.recoveringSince !== undefined || !rec.departed?.fresh) return;
  rec.departed = { left: rec.departed.left, moved: rec.departed.moved };
  ctx.series.changed();
}

/** Why a group alert that resolved at its own observation did: recovered, or its breaching members left or moved out. */
export function departedReason(d: Departed | undefined): 'left' | 'moved' | undefined {
  if (!d?.fresh) return undefined;
  return d.moved ? 'moved' : 'left';
}
