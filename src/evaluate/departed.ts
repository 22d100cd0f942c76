import type { EngineContext } from './context.js';
import { groupSeriesId, type Departed, type GroupMembers, type SeriesRecord } from './series.js';

/**
 * The member `who` (`ikey/participant key`, memberOf) leaves group `key` of `rule` from `slot`,
 * having left its meeting (`left`) or moved out of the group (`moved`): counted in the group
 * alert's `departed` (series.ts) when its reading breached and the alert fires. Read when the
 * alert resolves (alert-changes.ts, render-alert.ts): a group whose breaching members left or
 * moved out, the rest healthy, did not recover, and its resolve says who left or moved since it
 * fired. Each member counts once (one who moved out, back in and out again is one), as one who
 * moved out if it ever did.
 */
export function noteDeparture(
  ctx: EngineContext,
  rule: string,
  key: string,
  group: GroupMembers,
  slot: number,
  how: 'left' | 'moved',
  who: string,
): void {
  if (!group.get(slot)?.breaching) return;
  const rec = ctx.series.get(groupSeriesId(rule, key));
  if (rec?.state !== 'firing') return;
  const { left, moved, members = {} } = rec.departed ?? { left: 0, moved: 0 };
  const was = members[who];
  const now = was === 'moved' ? 'moved' : how;
  rec.departed = {
    left: left + (now === 'left' ? 1 : 0) - (was === 'left' ? 1 : 0),
    moved: moved + (now === 'moved' && was !== 'moved' ? 1 : 0),
    members: { ...members, [who]: now },
    fresh: true,
  };
  ctx.series.changed();
}

/** A join as a group alert's `departed` names it: its instance and participant keys. */
export const memberOf = (ikey: string, participantKey: string): string => `${ikey}/${participantKey}`;

/**
 * A firing group alert observed breaching, or not recovering: those who left before do not
 * explain its resolve (they are still counted, should later ones).
 */
export function stillBreaching(ctx: EngineContext, rec: SeriesRecord): void {
  if (rec.state !== 'firing' || rec.recoveringSince !== undefined || !rec.departed?.fresh) return;
  const { left, moved, members } = rec.departed;
  rec.departed = { left, moved, ...(members ? { members } : {}) };
  ctx.series.changed();
}

/** Why a group alert that resolved at its own observation did: recovered, or its breaching members left or moved out. */
export function departedReason(d: Departed | undefined): 'left' | 'moved' | undefined {
  if (!d?.fresh) return undefined;
  return d.moved ? 'moved' : 'left';
}
