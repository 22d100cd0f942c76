import type { OutboxItem } from './store.js';

/**
 * Queued notifications whose last attempt failed one way, and how many of each receiver's do:
 * whether a receiver still has one is a lookup, not a walk over the outbox.
 */
export class Failing {
  private readonly items = new Set<OutboxItem>();
  private readonly byReceiver = new Map<string, number>();

  add(item: OutboxItem): void {
    if (this.items.has(item)) return;
    this.items.add(item);
    const r = item.notification.receiver;
    this.byReceiver.set(r, (this.byReceiver.get(r) ?? 0) + 1);
  }

  /** It went through, failed another way, or left the outbox. */
  delete(item: OutboxItem): void {
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
