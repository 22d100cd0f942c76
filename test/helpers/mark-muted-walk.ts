import type { Alert } from '../../src/evaluate/alert.js';
import type { Muter } from '../../src/notify/pipeline/muting.js';
import type { NotifyStore } from '../../src/notify/pipeline/store.js';

/**
 * markMuted as it was before the store kept its unsaid alerts: a walk of every group and each
 * of its alerts, with a Set of the group's log made each time. The reference its replacement is
 * compared with (test/notify/mark-muted-unsaid.test.ts, test/bench/mark-muted.bench.ts).
 */
export function markMutedByWalk(
  store: NotifyStore,
  muter: Muter,
  firing: readonly Alert[],
  resolvedNow: ReadonlySet<string>,
  now: number,
): void {
  for (const g of store.groups()) {
    const logged = new Set(store.logEntry(g.key)?.firing ?? []);
    for (const a of Object.values(g.alerts)) {
      if (logged.has(a.id) || g.muted?.includes(a.id)) continue;
      if (a.state === 'resolved' && !resolvedNow.has(a.id)) continue;
      if (muter.muted(a, firing, now)) store.markMuted(g.key, a.id);
    }
  }
}
