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

  /**
   * Puts a change into its groups. A resolve for an alert a group never notified and does not
   * hold is left out. One the group holds firing, not notified yet (it fired and resolved before
   * the group's first message or within a group_interval), stays: its flush tells both (an
   * episode, see groupMessage), even when left and ended resolves are not notified.
   */
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
      // Neither notified nor waiting to be: nothing to resolve.
      if (alert.state === 'resolved' && !store.logEntry(key)?.firing.includes(alert.id))
        if (!store.group(key)?.alerts[alert.id]) continue;
      if (!store.group(key)) {
        store.openGroup({
          key,
          receiver: route.receiver,
          labels,
          timing,
          nextFlushAt: now + timing.groupWaitMs,
        });
      }
      if (quiet && !unsaidEpisode(store, key, alert.id)) {
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

/** The group holds the alert firing and never said so: its resolve ends an episode yet untold. */
function unsaidEpisode(store: NotifyStore, key: string, id: string): boolean {
  return store.group(key)?.alerts[id]?.state === 'firing' && !store.logEntry(key)?.firing.includes(id);
}

/**
 * What a group says at a flush (Alertmanager's dedup stage against the notification log):
 * the firing alerts not muted, with reminder text for those it already said were firing; the
 * resolved alerts it had said were firing; whether that changed, or a reminder is due. An
 * alert it said was firing and muted since (an incident explained it, a silence began) is
 * held: not sent again, but still notified as far as the receiver knows, so it stays in the
 * log and its resolve goes out when it ends.
 *
 * An alert that fired and resolved before the group said it fires (both in one poll, within
 * group_wait, or within a group_interval) is an episode: it goes with the resolved alerts,
 * named in `episodes`, whatever send_resolved says (it is the only message about an alert that
 * fired), unless muted while it fired (`silenced`: ids of resolved alerts a silence or an
 * inhibition muted at some time between their firing and their resolve, see muted-episodes.ts).
 */
export function groupMessage(
  g: Readonly<PendingGroup>,
  unmuted: readonly Alert[],
  muted: readonly Alert[],
  logged: { firing: readonly string[]; at: number; untold?: readonly string[] } | undefined,
  sendResolved: boolean,
  now: number,
  silenced: ReadonlySet<string> = new Set(),
): {
  firing: Alert[];
  held: Alert[];
  resolved: Alert[];
  /** Of `resolved`, those that fired and resolved before the group said they fire. */
  episodes: string[];
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
  const ended = Object.values(g.alerts).filter((a) => a.state === 'resolved');
  // Fired (a resolve comes only after a firing) and never in the log: never said to fire.
  const unsaid = ended.filter((a) => !before.has(a.id) && !silenced.has(a.id));
  const resolved = [...(sendResolved ? ended.filter((a) => told(a.id)) : []), ...unsaid];
  const known = firing.length + held.length;
  const changed = known !== before.size || firing.some((a) => !before.has(a.id)) || resolved.length > 0;
  const repeat = !!logged && firing.length > 0 && now - logged.at >= g.timing.repeatIntervalMs;
  const announced = firing.filter((a) => !told(a.id)).map((a) => a.id);
  const episodes = unsaid.map((a) => a.id);
  return { firing, held, resolved, episodes, announced, changed, repeat };
}
