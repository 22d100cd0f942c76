import type { Alert, AlertChange } from '../../evaluate/alert.js';
import { groupLabels } from './instance-labels.js';
import { matchRoutes, type Route } from './routing.js';
import type { NotifyStore, PendingGroup } from './store.js';
import type { Receiver } from './receiver.js';

/**
 * The first stage (Alertmanager's dispatch/aggregation groups): each alert change goes into a
 * group per matching route, keyed by the receiver and the route's group_by labels; a group
 * flushes after group_wait, then at most every group_interval.
 */
export class Grouping {
  constructor(
    private readonly opts: {
      route: Route;
      receivers: ReadonlyMap<string, Receiver>;
      store: NotifyStore;
      notifyLeftAndEnded: boolean;
    },
  ) {}

  /** Puts a change into its groups. A resolve for an alert a group never notified is left out. */
  add(change: AlertChange, now: number): void {
    const { store } = this.opts;
    const alert = change.alert;
    const quiet =
      alert.state === 'resolved' &&
      (alert.reason === 'left' || alert.reason === 'ended') &&
      !this.opts.notifyLeftAndEnded;
    for (const route of matchRoutes(this.opts.route, alert.labels)) {
      const receiver = this.opts.receivers.get(route.receiver);
      if (!receiver) continue;
      const labels = groupLabels(route.groupBy, alert.labels);
      const key = `${route.receiver}|${JSON.stringify(labels)}`;
      const timing = { ...route.timing, ...receiver.timing };
      if (!store.group(key)) {
        if (alert.state === 'resolved' && !store.logEntry(key)?.firing.includes(alert.id)) continue; // never notified: nothing to resolve
        store.openGroup({
          key,
          receiver: route.receiver,
          labels,
          timing,
          nextFlushAt: now + timing.groupWaitMs,
        });
      }
      if (quiet) {
        store.ungroupAlert(key, alert.id);
        store.unlogAlert(key, alert.id);
        continue;
      }
      const lastFlushAt = store.group(key)!.lastFlushAt;
      store.groupAlert(key, alert, Math.max(now, (lastFlushAt ?? now) + timing.groupIntervalMs));
    }
  }

  /** Groups of receivers no longer configured go (at start-up). */
  dropUnconfigured(): void {
    for (const g of this.opts.store.groups())
      if (!this.opts.receivers.has(g.receiver)) this.opts.store.dropGroup(g.key);
  }

  /** Groups with changes waiting, due by `now` (every one when `now` is undefined). */
  due(now?: number): Readonly<PendingGroup>[] {
    return this.opts.store
      .groups()
      .filter((g) => g.nextFlushAt !== undefined && (now === undefined || g.nextFlushAt <= now));
  }

  nextDueAt(): number[] {
    return this.opts.store
      .groups()
      .map((g) => g.nextFlushAt)
      .filter((t): t is number => t !== undefined);
  }
}

/**
 * What a group says at a flush (Alertmanager's dedup stage against the notification log):
 * the firing alerts not muted, with reminder text for those it already said were firing; the
 * resolved alerts it had said were firing; whether that changed, or a reminder is due. An
 * alert it said was firing and muted since (an incident explained it, a silence began) is
 * held: not sent again, but still notified as far as the receiver knows, so it stays in the
 * log and its resolve goes out when it ends.
 */
export function groupMessage(
  g: Readonly<PendingGroup>,
  unmuted: readonly Alert[],
  muted: readonly Alert[],
  logged: { firing: readonly string[]; at: number; untold?: readonly string[] } | undefined,
  sendResolved: boolean,
  now: number,
): {
  firing: Alert[];
  held: Alert[];
  resolved: Alert[];
  /** The firing alerts it did not tell the receiver of before: their first notification. */
  announced: string[];
  changed: boolean;
  repeat: boolean;
} {
  const before = new Set(logged?.firing ?? []);
  // Said, but every notification saying it was given up: the receiver never heard it fire.
  const untold = new Set(logged?.untold ?? []);
  const told = (id: string): boolean => before.has(id) && !untold.has(id);
  // An alert this group already told is firing is a reminder: its repeat text, if it has one.
  const firing = unmuted.map((a) =>
    told(a.id) && a.repeatAnnotations ? { ...a, annotations: a.repeatAnnotations } : a,
  );
  const held = muted.filter((a) => before.has(a.id));
  const resolved = sendResolved
    ? Object.values(g.alerts).filter((a) => a.state === 'resolved' && told(a.id))
    : [];
  const known = firing.length + held.length;
  const changed = known !== before.size || firing.some((a) => !before.has(a.id)) || resolved.length > 0;
  const repeat = !!logged && firing.length > 0 && now - logged.at >= g.timing.repeatIntervalMs;
  const announced = firing.filter((a) => !told(a.id)).map((a) => a.id);
  return { firing, held, resolved, announced, changed, repeat };
}
