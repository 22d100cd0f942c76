/**
 * Per group key, the ids of the group's alerts that its notification log does not say fire and
 * that are not marked muted (PendingGroup.muted): the only alerts markMuted (muted-episodes.ts)
 * asks about after an ingest. Kept by NotifyStore as a group or its log entry changes, one alert
 * at a time where one changes, so that an ingest visits the groups with such alerts, not every
 * group and alert with a Set of each group's log made again each time.
 */
export class UnsaidAlerts {
  private readonly byGroup = new Map<string, Set<string>>();

  /** The group `key` changed as a whole: of its alerts (`alertIds`), those not `logged` firing nor `muted`. */
  group(key: string, alertIds: readonly string[], logged: readonly string[], muted: readonly string[]): void {
    const told = new Set([...logged, ...muted]);
    const ids = new Set(alertIds.filter((id) => !told.has(id)));
    if (ids.size) this.byGroup.set(key, ids);
    else this.byGroup.delete(key);
  }

  /** One alert of the group `key` changed: it is `unsaid` now, or not. */
  alert(key: string, id: string, unsaid: boolean): void {
    const ids = this.byGroup.get(key);
    if (unsaid) {
      if (ids) ids.add(id);
      else this.byGroup.set(key, new Set([id]));
    } else if (ids?.delete(id) && !ids.size) this.byGroup.delete(key);
  }

  /** Group keys with their unsaid alert ids (a copy: marking one changes the index). */
  entries(): [string, ReadonlySet<string>][] {
    return [...this.byGroup].map(([key, ids]) => [key, new Set(ids)]);
  }
}
