import type { Logger } from 'pino';
import type { Alert, AlertChange } from '../evaluate/alert.js';
import { sleepUnless, type Clock } from '../util/clock.js';
import type { Timers } from '../util/deadline.js';
import { durationMs } from '../util/duration.js';
import { LogOnce } from '../util/log-once.js';
import type { Muter } from './pipeline/muting.js';
import type { Notification, ReportBody, ReportRef } from './plugins/notification.js';
import { groupMessage, Grouping } from './pipeline/grouping.js';
import { mute } from './pipeline/muting.js';
import { markMuted, mutedEpisodes } from './pipeline/muted-episodes.js';
import { Outbox, type RetryPolicy } from './pipeline/outbox.js';
import { RateCap } from './pipeline/rate-cap.js';
import { DELIVERY_DEFAULTS } from './settings.js';
import type { Receiver } from './pipeline/receiver.js';
import { matchRoutes, type Route } from './pipeline/routing.js';
import { NotifyStats } from './pipeline/stats.js';
import type { NotifyStore, PendingGroup } from './pipeline/store.js';

export type { Receiver } from './pipeline/receiver.js';

export interface DispatcherOptions {
  route: Route;
  receivers: ReadonlyMap<string, Receiver>;
  muter: Muter;
  clock: Clock;
  log: Logger;
  store: NotifyStore;
  /** Backoff of retryable failures; a notification older than `giveUpAfterMs` is dropped and counted. */
  retry?: RetryPolicy;
  /** Bound on one delivery attempt (real time). */
  sendTimeoutMs?: number;
  /** Where that bound's timer comes from (tests fire it by hand); setTimeout otherwise. */
  timers?: Timers;
  notifyLeftAndEnded: boolean;
  random?: () => number;
  /** The body of a report notification, read from where reports are kept when it is sent. */
  reportBody?: (id: string) => ReportBody | undefined;
  /**
   * How a firing alert reads now (the daemon asks the rule engine): a reminder says how long it
   * has lasted and how old its data is, not what it said when it fired. Undefined: as saved.
   */
  current?: (id: string) => Alert | undefined;
}

/** One notifier's part of the outbox, as the metrics read it. */
export interface NotifierBacklog {
  notifier: string;
  /** Notifications waiting for it. */
  queued: number;
  /** How long the oldest of them has waited (0 when none). */
  oldestAgeMs: number;
  /** It backs off as a whole (a timeout, a failed connection or a 429, until it delivers again). */
  backingOff: boolean;
}

/** Report notifications are remembered this long, so that one is never queued twice. */
const REPORTS_REMEMBERED_MS = 90 * 86_400_000;

/**
 * A firing alert the engine no longer holds after a restart, with no resolve of its own: it
 * ends now. Its rule gone (removed while qoswatch was stopped), the text says so in front of
 * the firing text it was sent with (the rule that would render a resolve is gone); otherwise
 * it ends as `recovered`.
 */
function endedUnseen(a: Alert, now: number, rules: ReadonlySet<string> | undefined): Alert {
  const resolved = { ...a, state: 'resolved' as const, resolvedAt: now };
  if (!rules || rules.has(a.rule)) return { ...resolved, reason: 'recovered' };
  const summary = `The rule ${a.rule} was removed (it had fired: ${a.annotations.summary ?? a.rule})`;
  return { ...resolved, reason: 'rule_removed', annotations: { ...a.annotations, summary } };
}

/**
 * Routes alert changes to receivers through the stages Alertmanager composes: grouping
 * (group_wait, group_interval, repeat_interval), muting (silences, inhibition), the notification
 * log, a rate cap per receiver, and a durable outbox that owns retry with backoff and jitter
 * (notify/pipeline/). Driven by an injected clock: tests call tick() as time moves.
 *
 * Everything it acknowledges is in the store first: the groups with the changes they wait to
 * send, the notification log and the outbox are saved (fsynced) before `ingest` returns and
 * before a notification is sent, and `seed` reconciles them with the alert state at start.
 */
export class Dispatcher {
  private readonly firing = new Map<string, Alert>();
  readonly stats = new NotifyStats();
  private wakeUp: () => void = () => undefined;
  private seq = 0;
  private readonly grouping: Grouping;
  private readonly cap: RateCap;
  private readonly outbox: Outbox;

  /**
   * After a restart, reminders (repeat_interval) wait until the daemon has looked at Zoom again:
   * a reminder sent from the saved state alone could say "still firing" about a meeting that
   * ended while qoswatch was down. Changes (a resolve waiting from before the stop) still go,
   * and so do the reminders of a receiver that keeps alerts alive by them (Alertmanager): held,
   * the alert would expire there while it still fires.
   */
  private remindersHeld = false;

  constructor(private readonly opts: DispatcherOptions) {
    const once = new LogOnce(opts.log, () => opts.clock.now(), 15 * 60_000);
    const { receivers, store, clock } = opts;
    this.grouping = new Grouping({ ...opts });
    this.cap = new RateCap({ receivers, store, stats: this.stats, once });
    this.outbox = new Outbox({
      receivers,
      store,
      clock,
      stats: this.stats,
      once,
      retry: opts.retry ?? {
        baseMs: durationMs(DELIVERY_DEFAULTS.retry_initial),
        capMs: durationMs(DELIVERY_DEFAULTS.retry_max),
        giveUpAfterMs: durationMs(DELIVERY_DEFAULTS.give_up_after),
      },
      sendTimeoutMs: opts.sendTimeoutMs ?? durationMs(DELIVERY_DEFAULTS.timeout),
      random: opts.random ?? Math.random,
      ...(opts.reportBody ? { reportBody: opts.reportBody } : {}),
      ...(opts.timers ? { timers: opts.timers } : {}),
      log: opts.log,
    });
  }

  /** Every configured receiver: their counters are exported from 0, before the first send. */
  get receiverNames(): string[] {
    return [...this.opts.receivers.keys()];
  }

  /**
   * Queues a report made after a call for each of `receivers` (unknown names are skipped), once:
   * a report already queued for a receiver (before a restart, say) is not queued again. Saved
   * before this returns; returns the receivers it was queued for now.
   */
  queueReport(ref: ReportRef, receivers: readonly string[]): string[] {
    const store = this.opts.store;
    const now = this.opts.clock.now();
    const queued: string[] = [];
    for (const receiver of new Set(receivers)) {
      if (!this.opts.receivers.has(receiver)) continue;
      const notification: Notification = {
        id: `report|${ref.id}|${receiver}`,
        receiver,
        groupKey: `report|${ref.id}`,
        groupLabels: {},
        kind: 'report',
        firing: [],
        resolved: [],
        createdAt: now,
        report: { id: ref.id, headline: ref.headline, alerts: ref.alerts, path: ref.path },
      };
      if (store.enqueueReport(notification, now, now - REPORTS_REMEMBERED_MS)) queued.push(receiver);
    }
    store.save();
    if (queued.length) this.wakeUp();
    return queued;
  }

  get outboxDepth(): number {
    return this.outbox.depth;
  }

  /** Every configured notifier's part of the outbox: which one holds a backlog, and since when. */
  outboxByNotifier(): NotifierBacklog[] {
    const now = this.opts.clock.now();
    const backlog = this.outbox.backlog();
    return this.receiverNames.map((notifier) => {
      const b = backlog.get(notifier);
      return {
        notifier,
        queued: b?.queued ?? 0,
        oldestAgeMs: b ? Math.max(0, now - b.oldestAt) : 0,
        backingOff: this.outbox.backingOff(notifier),
      };
    });
  }

  /** Alert changes from the rule engine, saved in their groups before this returns. Pending alerts are not notified. */
  ingest(changes: readonly AlertChange[]): void {
    if (!changes.some((c) => c.state !== 'pending')) return;
    const now = this.opts.clock.now();
    const before = new Map(this.firing);
    const resolvedNow = new Set<string>();
    for (const change of changes) {
      if (change.state === 'pending') continue;
      const alert = change.alert;
      if (alert.state === 'firing') this.firing.set(alert.id, alert);
      else {
        this.firing.delete(alert.id);
        resolvedNow.add(alert.id);
      }
      this.grouping.add(change, now);
    }
    const firing = [...new Map([...before, ...this.firing]).values()];
    markMuted(this.opts.store, this.opts.muter, firing, resolvedNow, now);
    this.opts.store.save();
    this.wakeUp();
  }

  /**
   * At start-up, reconciles what the store says was notified or waits to be with the alert
   * state the engine restored (which is saved before the dispatcher hears of a change): alerts
   * firing there are checked against the notification log and the groups, so none is lost or
   * repeated; alerts notified (or waiting) as firing that no longer fire are resolved, so no
   * stale log entry holds back the next firing. Groups of receivers no longer configured go.
   * Such an alert whose rule is not in `rules` (removed while qoswatch was down) resolves with
   * reason `rule_removed`, any other with `recovered`.
   */
  seed(active: readonly Alert[], resolved: readonly Alert[] = [], rules?: ReadonlySet<string>): void {
    const store = this.opts.store;
    this.grouping.dropUnconfigured();
    const firing = active.filter((a) => a.state === 'firing');
    const firingIds = new Set(firing.map((a) => a.id));
    const gone = new Map<string, Alert>();
    // Resolves already waiting in a group keep their own end time (the recovery's sample time).
    const waiting = new Set<string>();
    for (const g of store.groups())
      for (const a of Object.values(g.alerts)) if (a.state === 'resolved') waiting.add(a.id);
    for (const g of store.groups())
      for (const a of Object.values(g.alerts))
        if (a.state === 'firing' && !firingIds.has(a.id) && !waiting.has(a.id)) gone.set(a.id, a);
    // An id with no saved alert (an older file) cannot be resolved by message; it must not suppress a re-fire.
    store.reconcileLog(
      (saved) => {
        for (const a of saved)
          if (!firingIds.has(a.id) && !gone.has(a.id) && !waiting.has(a.id)) gone.set(a.id, a);
      },
      (id) => firingIds.has(id) || gone.has(id) || waiting.has(id),
    );
    const now = this.opts.clock.now();
    // The engine's own resolves the dispatcher never took (a kill between the two saves), with
    // their sample times; only what no record tells of ends "now".
    const ended = new Map(resolved.map((a) => [a.id, a]));
    for (const a of firing) this.firing.set(a.id, a);
    this.ingest([
      ...firing.map((alert) => ({ state: alert.state, alert, previous: 'firing' as const })),
      ...[...gone.values()].map((a) => ({
        state: 'resolved' as const,
        alert: ended.get(a.id) ?? endedUnseen(a, now, rules),
        previous: 'firing' as const,
      })),
    ]);
    store.save();
  }

  /** Holds reminders until releaseReminders (the daemon: at start, until the first reconciled cycle). */
  holdReminders(): void {
    this.remindersHeld = true;
  }

  /** Lets reminders go again; a group whose reminder was held sends it at its next flush. */
  releaseReminders(): void {
    if (!this.remindersHeld) return;
    this.remindersHeld = false;
    this.wakeUp();
  }

  private nextId(prefix: string, now: number): string {
    return `${prefix}#${now}#${this.seq++}`;
  }

  /**
   * One group's flush: muting, the notification log, then the rate cap and the outbox. A
   * flush ahead of time (`early`: at shutdown) that has nothing to say leaves the group's
   * schedule as it was: counted as a flush, it put the group's next flush, and with it a
   * reminder due before then, one whole group_interval after the stop (an Alertmanager
   * re-post due 6 s into the next run waited ~1 min, past the end of a short run).
   */
  private flush(g: Readonly<PendingGroup>, now: number, early = false): void {
    const r = this.opts.receivers.get(g.receiver)!;
    const store = this.opts.store;
    const firingNow = [...this.firing.values()];
    const firingAlerts: Alert[] = [];
    for (const saved of Object.values(g.alerts)) {
      if (saved.state !== 'firing') continue;
      const live = this.opts.current?.(saved.id);
      const a = live?.state === 'firing' ? live : saved;
      store.refreshGroupAlert(g.key, a);
      firingAlerts.push(a);
    }
    const { kept, muted } = mute(firingAlerts, this.opts.muter, firingNow, now, this.stats);
    const logged = store.logEntry(g.key);
    for (const a of muted) if (!logged?.firing.includes(a.id)) store.markMuted(g.key, a.id);
    const silenced = mutedEpisodes(g, logged?.firing ?? [], this.opts.muter, firingNow, now);
    this.stats.muted += silenced.size;
    const {
      firing,
      held,
      resolved,
      episodes,
      announced,
      changed,
      repeat: due,
    } = groupMessage(g, kept, muted, logged, r.sendResolved, now, silenced);
    // Held after a restart, but for a receiver whose reminders keep the alert alive there.
    const repeat = due && (!this.remindersHeld || r.notifier.keepsAlive === true);
    if ((changed || repeat) && (firing.length || resolved.length)) {
      const n: Notification = {
        id: this.nextId(g.key, now),
        receiver: g.receiver,
        groupKey: g.key,
        groupLabels: g.labels,
        kind: 'alert',
        firing,
        resolved,
        ...(episodes.length ? { episodes } : {}),
        createdAt: now,
      };
      this.cap.admit(n, now, announced);
    }
    if (changed || repeat) store.logFiring(g.key, [...firing, ...held], now, announced);
    else if (early) return;
    store.groupFlushed(g.key, now);
  }

  private summaries(now: number): void {
    const firingFor = (receiver: string): Alert[] =>
      [...this.firing.values()].filter((a) =>
        matchRoutes(this.opts.route, a.labels).some((x) => x.receiver === receiver),
      );
    this.cap.summaries(now, firingFor, (prefix) => this.nextId(prefix, now));
  }

  /** At shutdown: every group's waiting changes go out now instead of after group_wait or group_interval. */
  flushAll(): void {
    const now = this.opts.clock.now();
    for (const g of this.grouping.due()) this.flush(g, now, true);
    this.summaries(now);
    this.opts.store.save();
  }

  /** Flushes groups that are due, makes cap summaries, and delivers what is due (waiting for it). */
  async tick(signal: AbortSignal = new AbortController().signal): Promise<void> {
    this.step(signal);
    await this.outbox.settled();
  }

  /**
   * Flushes groups that are due, makes cap summaries, and starts the delivery lane of each
   * receiver with something due (without waiting: a slow receiver holds up only its own lane).
   */
  private step(signal: AbortSignal): void {
    const now = this.opts.clock.now();
    const due = this.grouping.due(now);
    for (const g of due) this.flush(g, now);
    this.summaries(now);
    if (due.length) this.opts.store.save();
    this.outbox.start(signal, () => this.wakeUp());
  }

  /** When something is next due (a group flush, a retry, a held-back summary), or undefined when idle. */
  nextDueAt(): number | undefined {
    const times = [...this.grouping.nextDueAt(), ...this.outbox.nextDueAt(), ...this.cap.nextDueAt()];
    return times.length ? Math.min(...times) : undefined;
  }

  /**
   * Runs until `signal` aborts: steps whenever something is due, new alerts arrive or a
   * receiver's lane ends; returns once the lanes have ended too. The calls to receivers stop
   * when `calls` aborts (the daemon: at the end of its shutdown grace), not at `signal`: a call
   * cut off in flight may have been done, and would be made again.
   */
  async run(signal: AbortSignal, calls: AbortSignal = signal): Promise<void> {
    // Calls aborted (the shutdown grace ran out) while the loop is not stopped yet: nothing can be
    // sent any more, so it ends. Going on, a due retry started a lane that ended at once, whose
    // end woke the loop at once: a loop of promises only that never let a timer or a signal
    // handler run, so the process hung after SIGTERM, a second SIGTERM unheard (outside tester,
    // stop 34, HIGH).
    while (!signal.aborted && !calls.aborted) {
      const wake = new Promise<void>((resolve) => (this.wakeUp = resolve));
      try {
        this.step(calls);
      } catch (err) {
        this.opts.log.error({ err }, 'notification dispatch failed');
      }
      const due = this.nextDueAt();
      const wait = due === undefined ? 60_000 : Math.max(0, due - this.opts.clock.now());
      await sleepUnless(this.opts.clock, wait, wake, signal).catch(() => undefined);
    }
    await this.outbox.settled();
  }

  async close(): Promise<void> {
    this.outbox.sayHeldDrops();
    this.opts.store.save();
    await Promise.all(
      [...this.opts.receivers.values()].map((r) => r.notifier.close?.() ?? Promise.resolve()),
    );
  }
}
