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

  /** Receivers whose lane is sending now. */
  private readonly lanes = new Map<string, Promise<void>>();

  /** When something is next due, leaving out receivers whose lane runs (it calls `idle` when done). */
  nextDueAt(): number[] {
    return this.heads()
      .filter((i) => !this.lanes.has(i.notification.receiver))
      .map((i) => i.nextAttemptAt);
  }

  /**
   * What can go next: the oldest notification of each receiver's group (a later one waits for
   * it, so its own time says nothing). Counting a waiting one as due would start a lane with
   * nothing to send, again and again: a loop that never sleeps.
   */
  private heads(): OutboxItem[] {
    const seen = new Set<string>();
    const out: OutboxItem[] = [];
    const items = [...this.opts.store.outbox()].sort(
      (a, b) => a.notification.createdAt - b.notification.createdAt,
    );
    for (const i of items) {
      const key = `${i.notification.receiver}\u0000${i.notification.groupKey}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(i);
    }
    return out;
  }

  /**
   * Starts a lane for each receiver with something due and no lane running; `idle` is called as
   * each lane ends. Each receiver (destination) delivers on its own lane: one that hangs or is
   * down delays only its own notifications, never another receiver's.
   */
  start(signal: AbortSignal, idle: () => void = () => undefined): void {
    const now = this.opts.clock.now();
    for (const item of this.heads()) {
      const receiver = item.notification.receiver;
      if (item.nextAttemptAt > now || this.lanes.has(receiver)) continue;
      const lane = this.lane(receiver, signal)
        .catch((err: unknown) => {
          if (signal.aborted) return; // stopping: what is left stays in the outbox
          this.opts.once.warn(
            `lane:${receiver}`,
            { receiver, err },
            `${receiver}: delivery round failed: ${(err as Error).message}`,
          );
        })
        .finally(() => {
          this.lanes.delete(receiver);
          idle();
        });
      this.lanes.set(receiver, lane);
    }
  }

  /** Resolves once every lane running now has ended (a lane's failure is logged, never thrown). */
  async settled(): Promise<void> {
    await Promise.all([...this.lanes.values()]);
  }

  /** Starts what is due and waits for it (tests, the last round at shutdown). */
  async deliverDue(signal: AbortSignal): Promise<void> {
    this.start(signal);
    await this.settled();
  }

  /**
   * One receiver's lane: sends its due notifications, oldest first, one at a time, taking up
   * notifications queued meanwhile, until nothing of it is due. A group's notifications go out
   * in order: a later one waits while an earlier one of the same group is still being retried.
   * Each notification is tried at most once per lane run.
   */
  private async lane(receiver: string, signal: AbortSignal): Promise<void> {
    // On a clock that drives time itself (tests, the demo), time stands still while a lane
    // sends, as it did when the dispatcher's loop waited for every delivery: otherwise the other
    // loops, all asleep, would move it past a send still in flight. No-op on the system clock.
    const release = this.opts.clock.hold?.();
    try {
      await this.sendAll(receiver, signal);
    } finally {
      release?.();
    }
  }

  private async sendAll(receiver: string, signal: AbortSignal): Promise<void> {
    const { store } = this.opts;
    const tried = new Set<OutboxItem>();
    for (;;) {
      if (signal.aborted) return;
      const item = this.nextFor(receiver, tried);
      if (!item) return;
      tried.add(item);
      const outcome = await this.deliver(item, signal);
      if (outcome !== 'retry') {
        store.done(item);
        this.opts.receivers.get(receiver)?.notifier.settled?.(item.notification);
      }
      store.save();
    }
  }

  /** The oldest due notification of `receiver` no earlier one of its group holds back (one of `heads`). */
  private nextFor(receiver: string, tried: ReadonlySet<OutboxItem>): OutboxItem | undefined {
    const now = this.opts.clock.now();
    return this.heads().find(
      (i) => i.notification.receiver === receiver && i.nextAttemptAt <= now && !tried.has(i),
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
      // The limit is per call: a notifier made of several calls (Slack) renews it after each.
      await r.notifier.send(n, deadline.signal, () => deadline.renew());
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
