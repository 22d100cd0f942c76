import type { Alert } from '../../evaluate/alert.js';
import type { LogOnce } from '../../util/log-once.js';
import type { Notification } from '../plugins/notification.js';
import type { NotifyStats } from './stats.js';
import type { NotifyStore } from './store.js';
import type { Receiver } from './receiver.js';

/**
 * The rate cap stage: at most `max` notifications per receiver in any `perMs`. What the cap
 * holds back is counted and, once the window has room again, summed up in one summary
 * notification. Send times and held counts live in the store.
 */
export class RateCap {
  constructor(
    private readonly opts: {
      receivers: ReadonlyMap<string, Receiver>;
      store: NotifyStore;
      stats: NotifyStats;
      once: LogOnce;
    },
  ) {}

  private allows(receiver: string, now: number): boolean {
    const cap = this.opts.receivers.get(receiver)?.rateLimit;
    return !cap || this.opts.store.capWindow(receiver, cap.perMs, now).length < cap.max;
  }

  /** Puts a notification in the outbox, counting it against its receiver's cap. */
  private send(n: Notification, now: number, announces?: readonly string[]): void {
    if (this.opts.receivers.get(n.receiver)?.rateLimit) this.opts.store.capSent(n.receiver, now);
    this.opts.store.enqueue(n, now, announces);
  }

  /**
   * A group's notification: into the outbox if the cap allows, held back (and counted) if not.
   * `announces`: the firing alerts it is the first to tell the group of.
   */
  admit(n: Notification, now: number, announces: readonly string[]): void {
    if (this.allows(n.receiver, now)) return this.send(n, now, announces);
    this.opts.store.capHold(n.receiver, n.firing.length + n.resolved.length, now);
    this.opts.stats.heldBack(n.receiver);
    this.opts.once.warn(
      `cap:${n.receiver}`,
      { receiver: n.receiver },
      `${n.receiver}: rate limit reached; holding notifications back, a summary follows`,
    );
  }

  /** Summaries of what caps held back, once each receiver's window has room again. */
  summaries(now: number, firingFor: (receiver: string) => Alert[], id: (prefix: string) => string): void {
    for (const [name, cap] of this.opts.store.caps()) {
      if (!this.opts.receivers.has(name) || cap.held === 0 || !this.allows(name, now)) continue;
      this.send(
        {
          id: id(`${name}|summary`),
          receiver: name,
          groupKey: `${name}|summary`,
          groupLabels: {},
          kind: 'summary',
          firing: firingFor(name),
          resolved: [],
          createdAt: now,
          heldBack: { count: cap.held, since: cap.heldSince ?? now, alerts: cap.heldAlerts },
        },
        now,
      );
      this.opts.store.capReleased(name);
    }
  }

  /** When a held-back summary may go out: the oldest send in a full window leaves it. */
  nextDueAt(): number[] {
    const times: number[] = [];
    for (const [name, c] of this.opts.store.caps()) {
      if (c.held === 0) continue;
      const per = this.opts.receivers.get(name)?.rateLimit?.perMs;
      if (per && c.sent.length) times.push(Math.min(...c.sent) + per);
    }
    return times;
  }
}
