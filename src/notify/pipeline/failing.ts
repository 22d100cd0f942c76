import type { FailedAs, OutboxItem } from './store.js';

/**
 * Queued notifications whose last attempt failed one way (`down`: timed out, could not connect
 * or was rate limited; `server`: a server error, to be retried), and how many of each
 * receiver's do: whether a receiver still has one is a lookup, not a walk over the outbox. The
 * way is kept on the item too (`failedAs`), saved with the outbox, so that after a restart an
 * outage saved as going on still has the notifications that keep it going (load).
 */
export class Failing {
  private readonly items = new Set<OutboxItem>();
  private readonly byReceiver = new Map<string, number>();

  constructor(private readonly way: FailedAs) {}

  /** At start-up: the saved outbox's notifications that last failed this way. */
  load(outbox: readonly OutboxItem[]): void {
    for (const item of outbox) if (item.failedAs === this.way) this.add(item);
  }

  add(item: OutboxItem): void {
    item.failedAs = this.way;
    if (this.items.has(item)) return;
    this.items.add(item);
    const r = item.notification.receiver;
    this.byReceiver.set(r, (this.byReceiver.get(r) ?? 0) + 1);
  }

  /** It went through, failed another way, or left the outbox. */
  delete(item: OutboxItem): void {
    if (item.failedAs === this.way) delete item.failedAs;
    if (!this.items.delete(item)) return;
    const r = item.notification.receiver;
    const left = (this.byReceiver.get(r) ?? 1) - 1;
    if (left) this.byReceiver.set(r, left);
    else this.byReceiver.delete(r);
  }

  /** Whether any of `receiver`'s queued notifications last failed this way. */
  any(receiver: string): boolean {
    return this.byReceiver.has(receiver);
  }
}
