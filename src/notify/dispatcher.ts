import type { Logger } from 'pino';
import type { Alert, AlertChange } from '../evaluate/alert.js';
import { backoffDelay } from '../util/backoff.js';
import { sleepUnless, type Clock } from '../util/clock.js';
import { LogOnce } from '../util/log-once.js';
import { NotifyError } from './errors.js';
import type { Muter } from './mute.js';
import type { Notification } from './notification.js';
import type { Notifier } from './notifier.js';
import { matchRoutes, type GroupTiming, type Route } from './route.js';
import { NotifyStats } from './stats.js';
import type { NotifyStore, OutboxItem, PendingGroup } from './store.js';

/** A notifier instance with its delivery settings. */
export interface Receiver {
  notifier: Notifier;
  sendResolved: boolean;
  /** Group timing this receiver overrides (its own settings, then its kind's defaults). */
  timing: Partial<GroupTiming>;
  rateLimit?: { max: number; perMs: number };
}

export interface DispatcherOptions {
  route: Route;
  receivers: ReadonlyMap<string, Receiver>;
  muter: Muter;
  clock: Clock;
  log: Logger;
  store: NotifyStore;
  /** Backoff of retryable failures; a notification older than `giveUpAfterMs` is dropped and counted. */
  retry?: { baseMs: number; capMs: number; giveUpAfterMs: number };
  /** Bound on one delivery attempt (real time). */
  sendTimeoutMs?: number;
  notifyLeftAndEnded: boolean;
  random?: () => number;
}

/**
 * Routes alert changes to receivers, groups them (group_wait, group_interval), sends reminders
 * (repeat_interval), leaves muted alerts out, caps each receiver's rate, and delivers through
 * a durable outbox, owning retry with exponential backoff and jitter. Driven by an injected
 * clock: tests call tick() as time moves.
 *
 * Everything it acknowledges is in the store first: the groups with the changes they wait to
 * send, the notification log and the outbox are saved (fsynced) before `ingest` returns and
 * before a notification is sent, and `seed` reconciles them with the alert state at start.
 */
export class Dispatcher {
  private readonly firing = new Map<string, Alert>();
  readonly stats = new NotifyStats();
  private readonly once: LogOnce;
  private wakeUp: () => void = () => undefined;
  private readonly retry: { baseMs: number; capMs: number; giveUpAfterMs: number };
  private readonly random: () => number;
  private seq = 0;

  /**
   * How a firing alert reads now (the daemon asks the rule engine): a reminder says how long it
   * has lasted and how old its data is, not what it said when it fired. Undefined: as saved.
   */
  current: (id: string) => Alert | undefined = () => undefined;

  constructor(private readonly opts: DispatcherOptions) {
    this.once = new LogOnce(opts.log, () => opts.clock.now(), 15 * 60_000);
    this.retry = opts.retry ?? { baseMs: 1000, capMs: 5 * 60_000, giveUpAfterMs: 24 * 3_600_000 };
    this.random = opts.random ?? Math.random;
  }

  /** Every configured receiver: their counters are exported from 0, before the first send. */
  get receiverNames(): string[] {
    return [...this.opts.receivers.keys()];
  }

  get outboxDepth(): number {
    return this.opts.store.state.outbox.length;
  }

  private get groups(): Record<string, PendingGroup> {
    return this.opts.store.state.groups;
  }

  /** Alert changes from the rule engine, saved in their groups before this returns. Pending alerts are not notified. */
  ingest(changes: readonly AlertChange[]): void {
    if (!changes.some((c) => c.state !== 'pending')) return;
    const now = this.opts.clock.now();
    for (const change of changes) {
      if (change.state === 'pending') continue;
      const alert = change.alert;
      if (alert.state === 'firing') this.firing.set(alert.id, alert);
      else this.firing.delete(alert.id);
      const quiet =
        alert.state === 'resolved' &&
        (alert.reason === 'left' || alert.reason === 'ended') &&
        !this.opts.notifyLeftAndEnded;
      for (const route of matchRoutes(this.opts.route, alert.labels)) {
        const receiver = this.opts.receivers.get(route.receiver);
        if (!receiver) continue;
        const labels = route.groupBy.includes('...')
          ? { ...alert.labels }
          : Object.fromEntries(route.groupBy.map((l) => [l, alert.labels[l] ?? '']));
        const key = `${route.receiver}|${JSON.stringify(labels)}`;
        let g = this.groups[key];
        const timing = { ...route.timing, ...receiver.timing };
        if (!g) {
          if (alert.state === 'resolved' && !this.opts.store.state.log[key]?.firing.includes(alert.id))
            continue; // never notified: nothing to resolve
          g = {
            key,
            receiver: route.receiver,
            labels,
            timing,
            alerts: {},
            nextFlushAt: now + timing.groupWaitMs,
          };
          this.groups[key] = g;
        }
        if (quiet) {
          delete g.alerts[alert.id];
          const entry = this.opts.store.state.log[key];
          if (entry) {
            entry.firing = entry.firing.filter((id) => id !== alert.id);
            if (entry.alerts) entry.alerts = entry.alerts.filter((a) => a.id !== alert.id);
          }
          continue;
        }
        g.alerts[alert.id] = alert;
        g.nextFlushAt ??= Math.max(now, (g.lastFlushAt ?? now) + timing.groupIntervalMs);
      }
    }
    this.opts.store.save();
    this.wakeUp();
  }

  /**
   * At start-up, reconciles what the store says was notified or waits to be with the alert
   * state the engine restored (which is saved before the dispatcher hears of a change): alerts
   * firing there are checked against the notification log and the groups, so none is lost or
   * repeated; alerts notified (or waiting) as firing that no longer fire are resolved, so no
   * stale log entry holds back the next firing. Groups of receivers no longer configured go.
   */
  seed(active: readonly Alert[], resolved: readonly Alert[] = []): void {
    const state = this.opts.store.state;
    for (const [key, g] of Object.entries(state.groups))
      if (!this.opts.receivers.has(g.receiver)) delete state.groups[key];
    const firing = active.filter((a) => a.state === 'firing');
    const firingIds = new Set(firing.map((a) => a.id));
    const gone = new Map<string, Alert>();
    // Resolves already waiting in a group keep their own end time (the recovery's sample time).
    const waiting = new Set<string>();
    for (const g of Object.values(state.groups))
      for (const a of Object.values(g.alerts)) if (a.state === 'resolved') waiting.add(a.id);
    for (const g of Object.values(state.groups))
      for (const a of Object.values(g.alerts))
        if (a.state === 'firing' && !firingIds.has(a.id) && !waiting.has(a.id)) gone.set(a.id, a);
    for (const [key, entry] of Object.entries(state.log)) {
      for (const a of entry.alerts ?? [])
        if (!firingIds.has(a.id) && !gone.has(a.id) && !waiting.has(a.id)) gone.set(a.id, a);
      // An id with no saved alert (an older file) cannot be resolved by message; it must not suppress a re-fire.
      entry.firing = entry.firing.filter((id) => firingIds.has(id) || gone.has(id) || waiting.has(id));
      if (!entry.firing.length) delete state.log[key];
    }
    const now = this.opts.clock.now();
    // The engine's own resolves the dispatcher never took (a kill between the two saves), with
    // their sample times; only what no record tells of ends "now".
    const ended = new Map(resolved.map((a) => [a.id, a]));
    for (const a of firing) this.firing.set(a.id, a);
    this.ingest([
      ...firing.map((alert) => ({ state: alert.state, alert, previous: 'firing' as const })),
      ...[...gone.values()].map((a) => ({
        state: 'resolved' as const,
        alert: ended.get(a.id) ?? {
          ...a,
          state: 'resolved' as const,
          resolvedAt: now,
          reason: 'recovered' as const,
        },
        previous: 'firing' as const,
      })),
    ]);
    this.opts.store.save();
  }

  private capAllows(receiver: string, r: Receiver, now: number): boolean {
    if (!r.rateLimit) return true;
    const cap = (this.opts.store.state.caps[receiver] ??= { sent: [], held: 0, heldAlerts: 0 });
    cap.sent = cap.sent.filter((t) => t > now - r.rateLimit!.perMs);
    return cap.sent.length < r.rateLimit.max;
  }

  private enqueue(n: Notification, now: number): void {
    const r = this.opts.receivers.get(n.receiver);
    if (r?.rateLimit)
      (this.opts.store.state.caps[n.receiver] ??= { sent: [], held: 0, heldAlerts: 0 }).sent.push(now);
    this.opts.store.state.outbox.push({ notification: n, attempts: 0, nextAttemptAt: now });
  }

  private flush(g: PendingGroup, now: number): void {
    const r = this.opts.receivers.get(g.receiver)!;
    const state = this.opts.store.state;
    const firingNow = [...this.firing.values()];
    const all = Object.values(g.alerts);
    const entry = state.log[g.key];
    const before = new Set(entry?.firing ?? []);
    const firing: Alert[] = [];
    // Notified firing, muted since (an incident explained it, a silence began): not sent again,
    // but still notified as far as the receiver knows, so its resolve goes out when it ends.
    const held: Alert[] = [];
    for (const saved of all.filter((x) => x.state === 'firing')) {
      const a = this.current(saved.id)?.state === 'firing' ? this.current(saved.id)! : saved;
      g.alerts[a.id] = a;
      const why = this.opts.muter.muted(a, firingNow, now);
      if (why) {
        this.stats.muted++;
        if (before.has(a.id)) held.push(a);
      }
      // An alert this group already said is firing is a reminder: its repeat text, if it has one.
      else
        firing.push(before.has(a.id) && a.repeatAnnotations ? { ...a, annotations: a.repeatAnnotations } : a);
    }
    const resolved = r.sendResolved ? all.filter((a) => a.state === 'resolved' && before.has(a.id)) : [];
    const known = firing.length + held.length;
    const changed = known !== before.size || firing.some((a) => !before.has(a.id)) || resolved.length > 0;
    const repeat = !!entry && firing.length > 0 && now - entry.at >= g.timing.repeatIntervalMs;
    if ((changed || repeat) && (firing.length || resolved.length)) {
      const n: Notification = {
        id: `${g.key}#${now}#${this.seq++}`,
        receiver: g.receiver,
        groupKey: g.key,
        groupLabels: g.labels,
        kind: 'alert',
        firing,
        resolved,
        createdAt: now,
      };
      if (this.capAllows(g.receiver, r, now)) this.enqueue(n, now);
      else {
        const cap = state.caps[g.receiver]!;
        cap.held++;
        cap.heldAlerts += firing.length + resolved.length;
        cap.heldSince ??= now;
        this.stats.heldBack(g.receiver);
        this.once.warn(
          `cap:${g.receiver}`,
          { receiver: g.receiver },
          `${g.receiver}: rate limit reached; holding notifications back, a summary follows`,
        );
      }
    }
    if (changed || repeat) {
      const notified = [...firing, ...held];
      if (notified.length)
        state.log[g.key] = { firing: notified.map((a) => a.id), at: now, alerts: notified };
      else delete state.log[g.key];
    }
    for (const a of all) if (a.state === 'resolved') delete g.alerts[a.id];
    g.lastFlushAt = now;
    if (Object.keys(g.alerts).length === 0) delete this.groups[g.key];
    else g.nextFlushAt = now + g.timing.groupIntervalMs;
  }

  /** At shutdown: every group's waiting changes go out now instead of after group_wait or group_interval. */
  flushAll(): void {
    const now = this.opts.clock.now();
    for (const g of Object.values(this.groups)) if (g.nextFlushAt !== undefined) this.flush(g, now);
    this.summaries(now);
    this.opts.store.save();
  }

  /** Summaries of what caps held back, once each receiver's window has room again. */
  private summaries(now: number): void {
    for (const [name, cap] of Object.entries(this.opts.store.state.caps)) {
      const r = this.opts.receivers.get(name);
      if (!r || cap.held === 0 || !this.capAllows(name, r, now)) continue;
      this.enqueue(
        {
          id: `${name}|summary#${now}#${this.seq++}`,
          receiver: name,
          groupKey: `${name}|summary`,
          groupLabels: {},
          kind: 'summary',
          firing: [...this.firing.values()].filter((a) =>
            matchRoutes(this.opts.route, a.labels).some((x) => x.receiver === name),
          ),
          resolved: [],
          createdAt: now,
          heldBack: { count: cap.held, since: cap.heldSince ?? now, alerts: cap.heldAlerts },
        },
        now,
      );
      cap.held = 0;
      cap.heldAlerts = 0;
      delete cap.heldSince;
    }
  }

  private async deliver(item: OutboxItem, signal: AbortSignal): Promise<'sent' | 'retry' | 'dropped'> {
    const n = item.notification;
    const r = this.opts.receivers.get(n.receiver);
    const now = this.opts.clock.now();
    if (!r) return 'dropped';
    const timeout = AbortSignal.timeout(this.opts.sendTimeoutMs ?? 30_000);
    const attemptSignal = AbortSignal.any([signal, timeout]);
    try {
      await r.notifier.send(n, attemptSignal);
      this.stats.delivered(n.receiver);
      return 'sent';
    } catch (err) {
      if (signal.aborted) throw err;
      const e =
        err instanceof NotifyError
          ? err
          : new NotifyError(
              timeout.aborted ? 'NOTIFY_TIMEOUT' : 'NOTIFY_NETWORK',
              `${n.receiver}: ${(err as Error).message}`,
              true,
            );
      item.attempts++;
      item.lastError = e.message;
      const age = now - n.createdAt;
      if (!e.retryable || age >= this.retry.giveUpAfterMs) {
        const reason = e.retryable ? 'expired' : e.code;
        this.stats.failure(n.receiver, reason);
        this.once.warn(
          `drop:${n.receiver}:${reason}`,
          { receiver: n.receiver, code: e.code },
          `${n.receiver}: notification dropped: ${e.message}`,
        );
        return 'dropped';
      }
      this.stats.failure(n.receiver, e.code);
      item.nextAttemptAt =
        now + Math.max(e.retryAfterMs ?? 0, backoffDelay(item.attempts - 1, this.retry, this.random));
      this.once.warn(
        `retry:${n.receiver}:${e.code}`,
        { receiver: n.receiver, code: e.code },
        `${n.receiver}: delivery failed, will retry: ${e.message}`,
      );
      return 'retry';
    }
  }

  /**
   * Sends what is due, oldest first. A group's notifications go out in order: a later one
   * waits while an earlier one of the same group is still being retried.
   */
  private async deliverDue(signal: AbortSignal): Promise<void> {
    const store = this.opts.store;
    const byReceiver = new Map<string, OutboxItem[]>();
    for (const item of [...store.state.outbox].sort(
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
          if (blocked.has(g) || item.nextAttemptAt > this.opts.clock.now()) {
            blocked.add(g);
            continue;
          }
          const outcome = await this.deliver(item, signal);
          if (outcome === 'retry') blocked.add(g);
          else store.state.outbox = store.state.outbox.filter((x) => x !== item);
          store.save();
        }
      }),
    );
  }

  /** Flushes groups that are due, makes cap summaries, and delivers what is due. */
  async tick(signal: AbortSignal = new AbortController().signal): Promise<void> {
    const now = this.opts.clock.now();
    let dirty = false;
    for (const g of Object.values(this.groups)) {
      if (g.nextFlushAt !== undefined && g.nextFlushAt <= now) {
        this.flush(g, now);
        dirty = true;
      }
    }
    this.summaries(now);
    if (dirty) this.opts.store.save();
    await this.deliverDue(signal);
  }

  /** When something is next due (a group flush, a retry), or undefined when idle. */
  nextDueAt(): number | undefined {
    const times = [
      ...Object.values(this.groups)
        .map((g) => g.nextFlushAt)
        .filter((t): t is number => t !== undefined),
      ...this.opts.store.state.outbox.map((i) => i.nextAttemptAt),
    ];
    const heldCaps = Object.entries(this.opts.store.state.caps).filter(([, c]) => c.held > 0);
    for (const [name, c] of heldCaps) {
      const per = this.opts.receivers.get(name)?.rateLimit?.perMs;
      if (per && c.sent.length) times.push(Math.min(...c.sent) + per);
    }
    return times.length ? Math.min(...times) : undefined;
  }

  /** Runs until `signal` aborts: ticks whenever something is due or new alerts arrive. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.tick(signal).catch((err: unknown) => {
        if (!signal.aborted) this.opts.log.error({ err }, 'notification dispatch failed');
      });
      const due = this.nextDueAt();
      const wake = new Promise<void>((resolve) => (this.wakeUp = resolve));
      const wait = due === undefined ? 60_000 : Math.max(0, due - this.opts.clock.now());
      await sleepUnless(this.opts.clock, wait, wake, signal).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.opts.store.save();
    await Promise.all(
      [...this.opts.receivers.values()].map((r) => r.notifier.close?.() ?? Promise.resolve()),
    );
  }
}
