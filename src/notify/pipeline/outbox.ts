import { backoffDelay } from '../../util/backoff.js';
import type { Clock } from '../../util/clock.js';
import { Deadline } from '../../util/deadline.js';
import type { LogOnce } from '../../util/log-once.js';
import { NotifyError } from '../plugins/errors.js';
import type { Notification, ReportBody } from '../plugins/notification.js';
import type { NotifyStats } from './stats.js';
import type { NotifyStore, OutboxItem } from './store.js';
import type { Receiver } from './receiver.js';

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** A notification older than this is dropped and counted as `expired`. */
  giveUpAfterMs: number;
}

/**
 * The last stage (Alertmanager's retry stage, over a durable outbox): sends what is due,
 * oldest first, retries retryable failures with exponential backoff and jitter, drops what
 * is permanent or too old, and keeps a group's notifications in order.
 */
export class Outbox {
  constructor(
    private readonly opts: {
      receivers: ReadonlyMap<string, Receiver>;
      store: NotifyStore;
      clock: Clock;
      stats: NotifyStats;
      once: LogOnce;
      retry: RetryPolicy;
      sendTimeoutMs: number;
      random: () => number;
      /** The body of a report notification, read when it is sent (it is not kept in the outbox). */
      reportBody?: (id: string) => ReportBody | undefined;
    },
  ) {}

  /** A report notification with its body read from the kept report (absent once pruned). */
  private withBody(n: Notification): Notification {
    if (!n.report || !this.opts.reportBody) return n;
    const body = this.opts.reportBody(n.report.id);
    return body ? { ...n, report: { ...n.report, body } } : n;
  }

  get depth(): number {
    return this.opts.store.outbox().length;
  }

  nextDueAt(): number[] {
    return this.opts.store.outbox().map((i) => i.nextAttemptAt);
  }

  /**
   * Sends what is due, oldest first. A group's notifications go out in order: a later one
   * waits while an earlier one of the same group is still being retried.
   */
  async deliverDue(signal: AbortSignal): Promise<void> {
    const { store, clock } = this.opts;
    const byReceiver = new Map<string, OutboxItem[]>();
    for (const item of [...store.outbox()].sort(
      (a, b) => a.notification.createdAt - b.notification.createdAt,
    )) {
      const list = byReceiver.get(item.notification.receiver) ?? [];
      list.push(item);
      byReceiver.set(item.notification.receiver, list);
    }
    await Promise.all(
      [...byReceiver.values()].map(async (items) => {
        const blocked = new Set<string>();
        for (const item of items) {
          const g = item.notification.groupKey;
          if (blocked.has(g) || item.nextAttemptAt > clock.now()) {
            blocked.add(g);
            continue;
          }
          const outcome = await this.deliver(item, signal);
          if (outcome === 'retry') blocked.add(g);
          else store.done(item);
          store.save();
        }
      }),
    );
  }

  private async deliver(item: OutboxItem, signal: AbortSignal): Promise<'sent' | 'retry' | 'dropped'> {
    const { stats, once, retry } = this.opts;
    const n = this.withBody(item.notification);
    const r = this.opts.receivers.get(n.receiver);
    const now = this.opts.clock.now();
    if (!r) return 'dropped';
    // Not AbortSignal.any([signal, timeout]): Node 20 keeps each such join in the daemon's signal.
    const deadline = new Deadline(this.opts.sendTimeoutMs, signal);
    try {
      await r.notifier.send(n, deadline.signal);
      stats.delivered(n.receiver, n.kind);
      return 'sent';
    } catch (err) {
      if (signal.aborted) throw err;
      const e =
        err instanceof NotifyError
          ? err
          : new NotifyError(
              deadline.timedOut ? 'NOTIFY_TIMEOUT' : 'NOTIFY_NETWORK',
              `${n.receiver}: ${(err as Error).message}`,
              true,
            );
      const age = now - n.createdAt;
      if (!e.retryable || age >= retry.giveUpAfterMs) {
        this.opts.store.attemptFailed(item, e.message);
        const reason = e.retryable ? 'expired' : e.code;
        stats.failure(n.receiver, reason);
        once.warn(
          `drop:${n.receiver}:${reason}`,
          { receiver: n.receiver, code: e.code },
          `${n.receiver}: notification dropped: ${e.message}`,
        );
        return 'dropped';
      }
      stats.failure(n.receiver, e.code);
      const wait = Math.max(e.retryAfterMs ?? 0, backoffDelay(item.attempts, retry, this.opts.random));
      this.opts.store.attemptFailed(item, e.message, now + wait);
      once.warn(
        `retry:${n.receiver}:${e.code}`,
        { receiver: n.receiver, code: e.code },
        `${n.receiver}: delivery failed, will retry: ${e.message}`,
      );
      return 'retry';
    } finally {
      deadline.end();
    }
  }
}
