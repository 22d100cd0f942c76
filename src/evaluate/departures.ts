import type { AlertChange, ResolveReason } from './alert.js';
import { resolveRecord } from './alert-changes.js';
import type { EngineContext } from './context.js';
import { memberOf, noteDeparture } from './departed.js';
import { holdingGroups } from './holding-groups.js';
import { groupSeriesId, type GroupMembers } from './series.js';

/** Participants who left an instance: their alerts resolve, and they leave every group. */
export function leave(
  ctx: EngineContext,
  ikey: string,
  participants: ReadonlySet<string>,
  at: number,
  reason: ResolveReason,
): AlertChange[] {
  const changes: AlertChange[] = [];
  const who = slotsOf(ctx, ikey, participants);
  // Their series by their slots (every participant series has one): not a pass over every series.
  for (const slot of who.keys())
    for (const rec of ctx.series.ofSlot(slot)) resolveRecord(ctx, rec, at, reason, changes);
  ctx.names.leave(ikey, participants);
  const emptied = dropReadings(ctx, ctx.state.slots.leave(ikey, participants), who);
  resolveEmptied(ctx, emptied, at, reason, changes);
  return changes;
}

/**
 * Participants of the instance known to the engine that a poll of it no longer lists: every
 * join with a slot, so with alert series (each has a slot) or readings in meeting and
 * shared-cause groups. Those without a series of their own would otherwise count in their
 * groups for up to gap_tolerance after they had gone.
 */
export function absent(ctx: EngineContext, ikey: string, present: ReadonlySet<string>): Set<string> {
  const gone = new Set<string>();
  const joins = ctx.state.slots.joinsOf(ikey); // the instance's joins: not a pass over every series
  if (joins) for (const p of joins.keys()) if (!present.has(p)) gone.add(p);
  return gone;
}

/** An instance that ended: everything of it resolves and is forgotten. */
export function end(ctx: EngineContext, ikey: string, at: number): AlertChange[] {
  const changes: AlertChange[] = [];
  ctx.unknown.reported(ikey);
  ctx.names.end(ikey);
  // Its series (its participants' and its groups'), in the order of the series map: not a pass
  // over every series.
  for (const rec of ctx.series.ofInstance(ikey)) resolveRecord(ctx, rec, at, 'ended', changes);
  // The instance's own group, of the meeting rules only: a shared cause's group is keyed by a
  // value (a data center may read `meeting:y`), never by an instance.
  for (const [rule, byKey] of ctx.state.members)
    if (ctx.rules.byName.get(rule)?.scope === 'instance') byKey.delete(ikey);
  for (const keys of ctx.groupKeys) keys.dropped(ikey);
  const who = slotsOf(ctx, ikey, ctx.state.slots.joinsOf(ikey)?.keys() ?? []);
  resolveEmptied(ctx, dropReadings(ctx, ctx.state.slots.end(ikey), who), at, 'ended', changes);
  return changes;
}

/**
 * The slots of the instance's `participants` that have one, each with its member key
 * (departed.ts, memberOf), read before they are freed: what dropReadings names them by.
 */
function slotsOf(ctx: EngineContext, ikey: string, participants: Iterable<string>): Map<number, string> {
  const who = new Map<number, string>();
  for (const p of participants) {
    const slot = ctx.state.slots.find(ikey, p);
    if (slot !== undefined) who.set(slot, memberOf(ikey, p));
  }
  return who;
}

/**
 * Group alerts (meeting, shared cause) whose every member has now gone: nothing would look at
 * them again (a group is observed when a member's sample comes), so they resolve here, with the
 * departure's reason, as their members' own alerts do.
 */
function resolveEmptied(
  ctx: EngineContext,
  emptied: readonly string[],
  at: number,
  reason: ResolveReason,
  changes: AlertChange[],
): void {
  for (const id of emptied) {
    const rec = ctx.series.get(id);
    if (rec) resolveRecord(ctx, rec, at, reason, changes);
  }
}

/**
 * The readings of freed join slots leave every group that holds them (before a slot is reused);
 * `who` names each slot's join. Returns the series ids (`rule|group`) of the groups that this
 * left with no member.
 */
function dropReadings(
  ctx: EngineContext,
  slots: readonly number[],
  who: ReadonlyMap<number, string>,
): string[] {
  if (!slots.length) return [];
  const had = new Map<GroupMembers, string>(); // the groups that hold a slot, by series id
  for (const { rule, key, members: m } of holdingGroups(ctx, slots)) {
    had.set(m, groupSeriesId(rule, key));
    for (const slot of slots) noteDeparture(ctx, rule, key, m, slot, 'left', who.get(slot) ?? String(slot));
  }
  for (const cache of ctx.slotMembers) cache.forget(slots);
  for (const keys of ctx.groupKeys) keys.forget(slots);
  for (const m of had.keys()) for (const slot of slots) m.delete(slot);
  const emptied: string[] = [];
  for (const [m, id] of had) if (m.size === 0) emptied.push(id);
  return emptied;
}
