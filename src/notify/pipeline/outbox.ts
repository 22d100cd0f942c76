import { backoffDelay } from '../../util/backoff.js';
import type { Clock } from '../../util/clock.js';
import { Deadline, type Timers } from '../../util/deadline.js';
import type { LogOnce } from '../../util/log-once.js';
import { hiddenAsLogged } from '../../util/log-secrets.js';
import { DropTally } from './drop-tally.js';
import { humanDuration, plural } from '../../util/words.js';
import type { Logger } from 'pino';
import { fromSendFailure, type NotifyError, type NotifyErrorCode } from '../plugins/errors.js';
import type { Notification, ReportBody } from '../plugins/notification.js';
import { handOnAnnounced } from './announced.js';
import { Failing } from './failing.js';
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
 * Failures that say the receiver itself cannot take anything now, whatever the notification:
 * it does not answer in time, cannot be reached, or says to slow down. After one of them the
 * receiver's lane waits as a whole. A server error (5xx, an SMTP 4xx) may be about the one
 * message, so the lane goes on with the others.
 */
const RECEIVER_DOWN: ReadonlySet<NotifyErrorCode> = new Set<NotifyErrorCode>([
  'NOTIFY_TIMEOUT',
  'NOTIFY_NETWORK',
  'NOTIFY_RATE_LIMITED',
]);

/** How an attempt went; `downUntil` when it said the receiver is down: it waits until then. */
interface Outcome {
  outcome: 'sent' | 'retry' | 'dropped';
  downUntil?: number;
  /**
   * It timed out or could not connect for the PASS_OVER_AFTER-th time in a row: it may be the
   * notification, not the receiver (a webhook that hangs on that one body).
   */
  stuck?: boolean;
}

/** What a failed attempt to be retried does to its receiver's other notifications (see warnRetry). */
type RetryEffect = 'alone' | 'wait' | 'passed-over';

/** Failed attempts in a row after which a notification no longer holds its whole receiver. */
const PASS_OVER_AFTER = 3;

/**
 * The last stage (Alertmanager's retry stage, over a durable outbox): sends what is due,
 * oldest first, retries retryable failures with exponential backoff and jitter, drops what
 * is permanent or too old, and keeps a group's notifications in order. A receiver that times
 * out, cannot be reached or rate-limits backs off as a whole: its other notifications wait
 * with the failed one instead of each paying the timeout in turn.
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
      /** The send timeout's timer (tests fire it by hand); setTimeout otherwise. */
      timers?: Timers;
      /** The body of a report notification, read when it is sent (it is not kept in the outbox). */
      reportBody?: (id: string) => ReportBody | undefined;
      /** Where "delivering again" goes (problems go through `once`). */
      log: Logger;
    },
  ) {
    opts.store.keepOutagesOf(opts.receivers);
    this.drops = new DropTally(opts.log);
    this.failedDown.load(opts.store.outbox());
    this.failedAlone.load(opts.store.outbox());
  }

  /** A report notification with its body read from the kept report (absent once pruned). */
  private withBody(n: Notification): Notification {
    if (!n.report || !this.opts.reportBody) return n;
    const body = this.opts.reportBody(n.report.id);
    return body ? { ...n, report: { ...n.report, body } } : n;
  }

  get depth(): number {
    return this.opts.store.outbox().length;
  }

  /**
   * Each receiver's part of the outbox (those with nothing queued absent): how many wait, and
   * when the oldest of them was made.
   */
  backlog(): Map<string, { queued: number; oldestAt: number }> {
    const out = new Map<string, { queued: number; oldestAt: number }>();
    for (const { notification: n } of this.opts.store.outbox()) {
      const b = out.get(n.receiver);
      if (!b) out.set(n.receiver, { queued: 1, oldestAt: n.createdAt });
      else {
        b.queued++;
        b.oldestAt = Math.min(b.oldestAt, n.createdAt);
      }
    }
    return out;
  }

  /** The receiver backs off as a whole: its last attempt said it was down, and none has gone through since. */
  backingOff(receiver: string): boolean {
    return this.pausedUntil.has(receiver);
  }

  /** What this lane run gave up, said at its end with how many. */
  private readonly drops: DropTally;

  /** Receivers whose lane is sending now. */
  private readonly lanes = new Map<string, Promise<void>>();

  /**
   * Receivers backing off as a whole after a timeout, a connection failure or a rate limit,
   * until when (the failed notification's next attempt). In memory: after a restart every
   * receiver is tried again at once, as the outbox is.
   */
  private readonly pausedUntil = new Map<string, number>();
  /** Queued resolves taken out because what they resolved was never told (see settle). */
  private readonly withdrawn = new WeakSet<OutboxItem>();
  /** Notifications whose last attempt timed out, could not connect or was rate limited (saved). */
  private readonly failedDown = new Failing('down');
  /** Notifications whose last attempt failed with a server error (5xx, an SMTP 4xx), to be retried (saved). */
  private readonly failedAlone = new Failing('server');

  /** When `item` may be tried: its own next attempt, or its receiver's pause if later. */
  private dueAt(item: OutboxItem): number {
    return Math.max(item.nextAttemptAt, this.pausedUntil.get(item.notification.receiver) ?? 0);
  }

  /** When something is next due, leaving out receivers whose lane runs (it calls `idle` when done). */
  nextDueAt(): number[] {
    return [
      ...this.heads()
        .filter((i) => !this.lanes.has(i.notification.receiver))
        .map((i) => this.dueAt(i)),
      // Not those of a receiver whose lane runs: its end says them (due now, they woke the loop at once, again and again).
      ...this.drops.nextDueAt((receiver) => this.lanes.has(receiver)),
    ];
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
    if (signal.aborted) return; // a lane would end at once, having sent nothing
    const now = this.opts.clock.now();
    for (const item of this.heads()) {
      const receiver = item.notification.receiver;
      if (this.dueAt(item) > now || this.lanes.has(receiver)) continue;
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
    // After the lanes start: a receiver sending now says its held drops with those of this run.
    this.drops.sayDue(now, (receiver) => this.lanes.has(receiver));
  }

  /** Resolves once every lane running now has ended (a lane's failure is logged, never thrown). */
  async settled(): Promise<void> {
    await Promise.all([...this.lanes.values()]);
  }

  /** At shutdown: the drops held back by the 15-minute quiet are said now (drop-tally.ts). */
  sayHeldDrops(): void {
    this.drops.sayAll(this.opts.clock.now());
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
   * Each notification is tried at most once per lane run. After a failure that says the
   * receiver is down (RECEIVER_DOWN) the lane ends: the receiver waits as a whole.
   */
  private async lane(receiver: string, signal: AbortSignal): Promise<void> {
    // On a clock that drives time itself (tests, the demo), time stands still while a lane
    // sends, as it did when the dispatcher's loop waited for every delivery: otherwise the other
    // loops, all asleep, would move it past a send still in flight. No-op on the system clock.
    const release = this.opts.clock.hold?.();
    try {
      await this.sendAll(receiver, signal);
    } finally {
      this.drops.flush(receiver, this.opts.clock.now());
      release?.();
    }
  }

  /** The receiver's queued notifications, oldest first (in queue order among equals). */
  private queueOf(receiver: string): OutboxItem[] {
    return this.opts.store
      .outbox()
      .filter((i) => i.notification.receiver === receiver)
      .sort((a, b) => a.notification.createdAt - b.notification.createdAt);
  }

  /**
   * Walks the receiver's queue, sorted once per walk (not once per send: a backlog of n cost
   * O(n² log n) a pass), sending each notification no earlier one of its group holds back (one
   * tried in this run, or not due). A walk that sent something is followed by another, which
   * takes up what became due or was queued meanwhile; the lane ends after one that sent nothing.
   */
  private async sendAll(receiver: string, signal: AbortSignal): Promise<void> {
    const { store } = this.opts;
    const tried = new Set<OutboxItem>();
    // A stuck head passed over: until when the receiver waits if the next attempt fails too.
    let probing: number | undefined;
    let probed = false;
    for (;;) {
      const queued = store.outbox().length;
      let progressed = false;
      const held = new Set<string>(); // groups whose next notification must wait
      for (const item of this.queueOf(receiver)) {
        if (signal.aborted) return;
        const group = item.notification.groupKey;
        if (held.has(group) || this.withdrawn.has(item)) continue;
        if (tried.has(item) || item.nextAttemptAt > this.opts.clock.now()) {
          held.add(group);
          continue;
        }
        tried.add(item);
        const { outcome, downUntil, stuck } = await this.deliver(item, signal, !probed);
        if (outcome === 'retry') held.add(group);
        else {
          this.settle(item, outcome === 'dropped');
          progressed = true;
        }
        store.save();
        if (downUntil !== undefined && stuck && !probed) {
          // Once a lane run, the next group is tried before the receiver waits: if it goes
          // through, the receiver works and the rest follow; the stuck one keeps its group.
          probed = true;
          probing = downUntil;
          continue;
        }
        if (downUntil !== undefined) {
          this.pause(receiver, Math.max(downUntil, probing ?? 0));
          return;
        }
        probing = undefined;
      }
      if (probing !== undefined) {
        this.pause(receiver, probing); // nothing else could be tried
        return;
      }
      // Nothing sent: stop, unless something was queued meanwhile (a retry does not remove).
      if (!progressed && store.outbox().length === queued) return;
    }
  }

  /**
   * Delivered or given up (`dropped`): out of the outbox, and its notifier told (`settled`).
   * Given up, what it announced counts as never told that receiver (handOnAnnounced); a queued
   * resolve left with nothing to say goes with it.
   */
  private settle(item: OutboxItem, dropped: boolean): void {
    if (dropped) this.opts.store.touched(); // its group's later notifications may change in place
    if (dropped)
      for (const empty of handOnAnnounced(this.opts.store, item)) {
        this.withdrawn.add(empty);
        this.settle(empty, false);
      }
    this.opts.store.done(item);
    this.failedAlone.delete(item);
    this.failedDown.delete(item);
    this.opts.receivers.get(item.notification.receiver)?.notifier.settled?.(item.notification);
  }

  /**
   * The receiver is down: it waits as a whole until `until` (the failed notification's next
   * attempt), and what of it is older than give_up_after is dropped now (it would be at its
   * next failure; with the receiver waiting, only one notification a pass is tried).
   */
  private pause(receiver: string, until: number): void {
    const { store, stats, retry } = this.opts;
    this.pausedUntil.set(receiver, until);
    const now = this.opts.clock.now();
    // When the outage began (its first wait as a whole), for the line that says it delivers
    // again. It lasts while any of its notifications last failed as down (one passed over while
    // the others go through included), not only while it waits as a whole. Saved with the outbox:
    // after a restart the line counts from the outage's start, not from the restart.
    let changed = false;
    if (store.outageSince(receiver) === undefined) {
      store.outageBegan(receiver, now);
      changed = true;
    }
    let expired = 0;
    for (const item of this.queueOf(receiver)) {
      if (now - item.notification.createdAt < retry.giveUpAfterMs || this.withdrawn.has(item)) continue;
      const why = `${receiver}: not delivered within give_up_after (receiver down)`;
      store.attemptFailed(item, why);
      this.settle(item, true);
      stats.failure(receiver, 'expired');
      this.drops.add(item.notification, 'expired', 'NOTIFY_EXPIRED', why, now);
      expired++;
    }
    if (expired || changed) store.save();
  }

  /**
   * `sent` went through: its receiver no longer waits as a whole. The outage is over once none of
   * its notifications still fails as down: then the log says so once (with how long it lasted and
   * what still waits), and its next failure is logged at once again. One passed over while the
   * others go through keeps it: each group delivered past it is not a recovery (outside tester,
   * stop 30: "delivering again" 5 times in 45 s with one notification stuck).
   */
  private backUp(sent: OutboxItem): void {
    const receiver = sent.notification.receiver;
    this.failedDown.delete(sent);
    this.failedAlone.delete(sent);
    // A server-error episode is over once none of its notifications still last failed so: the
    // next one is logged at once (it was muted for quietMs whatever happened in between).
    if (!this.failedAlone.any(receiver)) this.opts.once.forget(`retry:${receiver}:alone:`);
    // So is a run of drops (4xx, expired): the receiver took one, what it dropped before is said
    // now, and the next drop at once.
    this.drops.delivered(receiver, this.opts.clock.now());
    this.pausedUntil.delete(receiver);
    const since = this.opts.store.outageSince(receiver);
    if (since === undefined) return;
    // Counted per notifier: a walk of the outbox here cost O(n) a delivery past a stuck one.
    if (this.failedDown.any(receiver)) return;
    this.opts.store.outageOver(receiver); // saved with the delivery
    this.opts.once.forget(`retry:${receiver}:`);
    const downForMs = this.opts.clock.now() - since;
    const waiting = this.opts.store.queuedFor(receiver) - 1; // the one sent leaves after this
    this.opts.log.info(
      { receiver, downForMs, waiting },
      `${receiver}: delivering again, after ${humanDuration(downForMs)} backing off; ${plural(waiting, 'more notification')} to send`,
    );
  }

  /** `mayPassOver`: if it fails as stuck, the next group is tried before the receiver waits. */
  private async deliver(item: OutboxItem, signal: AbortSignal, mayPassOver: boolean): Promise<Outcome> {
    const { stats, retry } = this.opts;
    const n = this.withBody(item.notification);
    const r = this.opts.receivers.get(n.receiver);
    if (!r) return { outcome: 'dropped' };
    // Not AbortSignal.any([signal, timeout]): Node 20 keeps each such join in the daemon's signal.
    const deadline = new Deadline(this.opts.sendTimeoutMs, signal, this.opts.timers);
    try {
      // The limit is per call: a notifier made of several calls (Slack) renews it after each.
      const sent = await r.notifier.send(n, deadline.signal, () => deadline.renew());
      // Alerts the receiver refused one by one and dropped (the notifier logged each).
      for (const code of sent?.refused ?? []) stats.failure(n.receiver, code);
      this.backUp(item);
      stats.delivered(n.receiver, n.kind);
      return { outcome: 'sent' };
    } catch (err) {
      if (signal.aborted) throw err;
      const e = fromSendFailure(n.receiver, err, deadline);
      // Kept in the state file as the log would show it: a module's error may repeat a secret.
      const kept = hiddenAsLogged(this.opts.log, e.message);
      // Backoff counts from the failure: after a timeout, from its end, not from the attempt's start.
      const now = this.opts.clock.now();
      const wait = Math.max(e.retryAfterMs ?? 0, backoffDelay(item.attempts, retry, this.opts.random));
      const down =
        e.retryable && RECEIVER_DOWN.has(e.code)
          ? {
              downUntil: now + wait,
              // A 429 is about the receiver, whatever the message: never passed over.
              stuck: e.code !== 'NOTIFY_RATE_LIMITED' && item.attempts + 1 >= PASS_OVER_AFTER,
            }
          : {};
      if (!e.retryable || now - n.createdAt >= retry.giveUpAfterMs) {
        this.opts.store.attemptFailed(item, kept);
        const reason = e.retryable ? 'expired' : e.code;
        stats.failure(n.receiver, reason);
        this.drops.add(n, reason, e.code, e.message, now);
        return { outcome: 'dropped', ...down };
      }
      stats.failure(n.receiver, e.code);
      this.opts.store.attemptFailed(item, kept, now + wait);
      if (down.downUntil === undefined) {
        this.failedDown.delete(item);
        this.failedAlone.add(item);
      } else {
        this.failedDown.add(item);
        this.failedAlone.delete(item);
      }
      const others =
        down.downUntil === undefined ? 'alone' : down.stuck && mayPassOver ? 'passed-over' : 'wait';
      this.warnRetry(item, e, Math.round(wait), others);
      return { outcome: 'retry', ...down };
    } finally {
      deadline.end();
    }
  }

  /**
   * A failed attempt to be retried, logged once an episode (an outage, or a run of server errors
   * until the receiver delivers again), saying what it does to the receiver's other
   * notifications: nothing (`alone`: a server error, about this one: they go on meanwhile), they
   * wait with it (`wait`: it is down), or they go on without it (`passed-over`: it failed
   * PASS_OVER_AFTER times in a row and the next group is tried first; they wait only if that
   * fails too).
   */
  private warnRetry(item: OutboxItem, e: NotifyError, retryInMs: number, others: RetryEffect): void {
    const { receiver } = item.notification;
    const obj = { receiver, code: e.code, retryInMs };
    if (others === 'passed-over')
      this.opts.once.warn(
        `retry:${receiver}:passed-over:${e.code}`,
        { ...obj, attempts: item.attempts },
        `${receiver}: one notification failed ${item.attempts} times in a row and is retried on its own; its other notifications go on without it unless they fail too: ${e.message}`,
      );
    else if (others === 'wait')
      this.opts.once.warn(
        `retry:${receiver}:${e.code}`,
        obj,
        `${receiver}: delivery failed, will retry; its other notifications wait with it: ${e.message}`,
      );
    else
      this.opts.once.warn(
        `retry:${receiver}:alone:${e.code}`,
        obj,
        `${receiver}: delivery failed, will retry; its other notifications go on meanwhile: ${e.message}`,
      );
  }
}
