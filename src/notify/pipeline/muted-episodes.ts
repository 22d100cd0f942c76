import type { Alert } from '../../evaluate/alert.js';
import type { Muter } from './muting.js';
import type { NotifyStore, PendingGroup } from './store.js';

/**
 * After an ingest: each group's alert not notified firing there that a silence or an inhibition
 * mutes is marked muted for the rest of its episode (PendingGroup.muted), so that muted while it
 * fired, it stays muted when it resolves before its group says it fires, whatever mutes it at
 * the flush (the inhibiting alert resolved first or together, the silence ended). Looked at:
 * the group's firing alerts, and the alerts this ingest resolved (`resolvedNow`), against the
 * alerts firing before or after the ingest (`firing`: an inhibiting alert resolved in the same
 * poll still counts). Marked ones are not asked again.
 */
export function markMuted(
  store: NotifyStore,
  muter: Muter,
  firing: readonly Alert[],
  resolvedNow: ReadonlySet<string>,
  now: number,
): void {
  // Only the groups with alerts neither said firing nor marked (kept by the store as groups
  // change), in the group's order: a walk of every group and alert, with a Set of each group's
  // log, cost O(all alerts) an ingest.
  for (const [key, unsaid] of store.unsaidAlerts()) {
    const g = store.group(key);
    if (!g) continue;
    for (const a of Object.values(g.alerts)) {
      if (!unsaid.has(a.id) || (a.state === 'resolved' && !resolvedNow.has(a.id))) continue;
      if (muter.muted(a, firing, now)) store.markMuted(key, a.id);
    }
  }
}

/**
 * The group's resolved alerts it never said fire (episodes) that were muted at some time while
 * they fired: marked (markMuted, or muted at a flush), muted now, or a silence that was on at
 * some time between their firing and their resolve.
 */
export function mutedEpisodes(
  g: Readonly<PendingGroup>,
  logged: readonly string[],
  muter: Muter,
  firingNow: readonly Alert[],
  now: number,
): Set<string> {
  const out = new Set<string>();
  for (const a of Object.values(g.alerts)) {
    if (a.state !== 'resolved' || logged.includes(a.id)) continue;
    const muted =
      g.muted?.includes(a.id) === true ||
      muter.muted(a, firingNow, now) !== undefined ||
      muter.silencedDuring(a, a.firingSince ?? a.since, a.resolvedAt ?? now) !== undefined;
    if (muted) out.add(a.id);
  }
  return out;
}
