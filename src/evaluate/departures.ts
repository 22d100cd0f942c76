import type { AlertChange, ResolveReason } from './alert.js';
import { resolveRecord } from './alert-changes.js';
import type { EngineContext } from './context.js';

/** Participants who left an instance: their alerts resolve, and they leave every group. */
export function leave(
  ctx: EngineContext,
  ikey: string,
  participants: ReadonlySet<string>,
  at: number,
  reason: ResolveReason,
): AlertChange[] {
  const changes: AlertChange[] = [];
  for (const rec of [...ctx.series.values()])
    if (rec.instance === ikey && rec.participantKey && participants.has(rec.participantKey))
      resolveRecord(ctx, rec, at, reason, changes);
  ctx.names.leave(ikey, participants);
  dropReadings(ctx, ctx.state.slots.leave(ikey, participants));
  return changes;
}

/** Participants with an alert series that a poll of the instance no longer lists. */
export function absent(ctx: EngineContext, ikey: string, present: ReadonlySet<string>): Set<string> {
  const gone = new Set<string>();
  const withSeries = ctx.series.inInstance(ikey); // a poll of each instance: not a pass over every series
  if (withSeries) for (const p of withSeries.keys()) if (!present.has(p)) gone.add(p);
  return gone;
}

/** An instance that ended: everything of it resolves and is forgotten. */
export function end(ctx: EngineContext, ikey: string, at: number): AlertChange[] {
  const changes: AlertChange[] = [];
  ctx.unknown.reported(ikey);
  ctx.names.end(ikey);
  for (const rec of [...ctx.series.values()])
    if (rec.instance === ikey) resolveRecord(ctx, rec, at, 'ended', changes);
  for (const byKey of ctx.state.members.values()) byKey.delete(ikey);
  dropReadings(ctx, ctx.state.slots.end(ikey));
  return changes;
}

/** The readings of freed join slots leave every group of every rule (before a slot is reused). */
function dropReadings(ctx: EngineContext, slots: readonly number[]): void {
  if (!slots.length) return;
  for (const cache of ctx.slotMembers) cache.forget(slots);
  for (const byKey of ctx.state.members.values())
    for (const m of byKey.values()) for (const slot of slots) m.delete(slot);
}
