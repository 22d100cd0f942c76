import type { NotifyStore, OutboxItem } from './store.js';

/**
 * A notification given up (dropped) never told its receiver that the alerts it announced
 * (`announces`: the firing alerts it was the first to tell its group of) fire. Each is handed
 * on to the group's next queued notification that names it: one that says it fires announces
 * it now; one that resolves it loses that resolve, since the receiver never heard it fire. One
 * that no queued notification names is marked untold in the group's notification log: no
 * resolve goes for it, and the group's next message that carries it (a reminder) tells it. The
 * group's other alerts (told before) are left as they are: their resolves still go.
 *
 * Call before `dropped` leaves the outbox. Returns the queued notifications left with nothing to
 * say (a resolve of only such alerts), to be taken out of the outbox too.
 */
export function handOnAnnounced(store: NotifyStore, dropped: OutboxItem): OutboxItem[] {
  const ids = new Set(dropped.announces);
  if (!ids.size) return [];
  const { receiver, groupKey } = dropped.notification;
  const queue = store.outbox();
  const emptied: OutboxItem[] = [];
  // The group's later notifications, in the order they were queued (the order they go out).
  for (let i = queue.indexOf(dropped) + 1; i < queue.length && ids.size; i++) {
    const item = queue[i]!;
    const n = item.notification;
    if (n.receiver !== receiver || n.groupKey !== groupKey || n.kind !== 'alert') continue;
    for (const id of [...ids]) {
      if (n.firing.some((a) => a.id === id)) (item.announces ??= []).push(id);
      else if (n.resolved.some((a) => a.id === id)) n.resolved = n.resolved.filter((a) => a.id !== id);
      else continue;
      ids.delete(id);
    }
    if (!n.firing.length && !n.resolved.length) emptied.push(item);
  }
  for (const id of ids) store.untoldAlert(groupKey, id);
  return emptied;
}
