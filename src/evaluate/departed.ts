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
  const d = ownDeparted(ctx, rec);
  const { members } = d;
  const was = members[who];
  const now = was === 'moved' ? 'moved' : how;
  d.left += (now === 'left' ? 1 : 0) - (was === 'left' ? 1 : 0);
  if (now === 'moved' && was !== 'moved') d.moved++;
  members[who] = now;
  ctx.series.changed();
}

/**
 * The record's `departed`, to be written in place: one made in this pass of the engine
 * (context.ts, `departedOwned`) is, any other is copied first (once per record and pass: a
 * meeting of N members that ends costs N writes, not N copies of up to N members). What a pass
 * hands on, or an earlier one left, is never changed (series.ts, Departed).
 */
function ownDeparted(ctx: EngineContext, rec: SeriesRecord): Owned {
  const d = rec.departed;
  if (d && ctx.departedOwned.has(d)) return d as Owned;
  const own: Owned = {
    left: d?.left ?? 0,
    moved: d?.moved ?? 0,
    members: { ...d?.members },
    fresh: true,
  };
  ctx.departedOwned.add(own);
  return (rec.departed = own);
}

/** A record's `departed` while its pass writes it: it has its members. */
type Owned = Departed & Required<Pick<Departed, 'members'>>;

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
