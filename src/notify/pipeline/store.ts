import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../../evaluate/alert.js';
import { StateFiles, validEntries, validMap } from '../../util/state-files.js';
import { isJsonObject, ownMap } from '../../util/json-object.js';
import type { NotifierMemory } from '../plugins/notifier.js';
import type { Notification } from '../plugins/notification.js';
import { DeliveredJournal, type MemoryChanges } from './delivered-journal.js';
import { NOTIFY_STATE_VERSION as VERSION, notifyStateChecks as checks } from './notify-state-schema.js';
import type { GroupTiming } from './routing.js';
import { UnsaidAlerts } from './unsaid-alerts.js';

/** A notification waiting in the outbox, with its delivery attempts. */
export interface OutboxItem {
  notification: Notification;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  /** How its last attempt failed, while it waits to be retried (pipeline/failing.ts). */
  failedAs?: FailedAs;
  /**
   * The firing alerts this notification is the first to tell its group's receiver of (not in
   * the group's log before it). Given up, it hands them on (pipeline/announced.ts).
   */
  announces?: string[];
}

/** A failure that says the receiver is down (timeout, no connection, 429), or a server error. */
export type FailedAs = 'down' | 'server';

/** What was last notified for a group: the firing alert ids and when (Alertmanager's notification log). */
export interface LogEntry {
  firing: string[];
  at: number;
  /** The firing alerts as last notified, so a resolve can be sent for them after a restart. */
  alerts?: Alert[];
  /**
   * Of `firing`, those whose every notification saying so to this group's receiver was given up
   * (and none queued says so): not told. No resolve goes for them; the group's next message
   * that carries them (a reminder) tells them.
   */
  untold?: string[];
}

/** A group with changes waiting for group_wait or group_interval, or with alerts still firing. */
export interface PendingGroup {
  key: string;
  receiver: string;
  labels: Record<string, string>;
  timing: GroupTiming;
  /** By alert id: the newest state of each alert in the group. */
  alerts: Record<string, Alert>;
  /**
   * Of `alerts`, those not notified firing here that a silence or an inhibition muted at some
   * time while they fired (when grouped, at a flush, at their resolve): if one resolves before
   * its group says it fires, nothing goes for it (an episode muted, see groupMessage).
   */
  muted?: string[];
  nextFlushAt?: number;
  lastFlushAt?: number;
}

export interface NotifyState {
  outbox: OutboxItem[];
  log: Record<string, LogEntry>;
  /** Groups by key: what has not gone out yet, and when it will. */
  groups: Record<string, PendingGroup>;
  /** Per notifier, what it must remember (Slack: the message of each group). */
  notifiers: Record<string, Record<string, string>>;
  /** Per notifier, the send times inside its rate-limit window and what was held back. */
  caps: Record<string, CapState>;
  /** Report notifications ever queued (id: when), so that a report is queued once per receiver. */
  reports: Record<string, number>;
  /** Per notifier in an outage (see Outbox.pause), when it began. */
  outages: Record<string, number>;
}

export interface CapState {
  sent: number[];
  held: number;
  heldAlerts: number;
  heldSince?: number;
}

/** The alert is no longer in the group (or starts a new episode): its mute mark goes. */
function unmark(g: PendingGroup, alertId: string): void {
  if (!g.muted?.includes(alertId)) return;
  g.muted = g.muted.filter((id) => id !== alertId);
  if (!g.muted.length) delete g.muted;
}

/**
 * The outbox, the notification log, the groups waiting to go out and notifier memory in one
 * file, written durably (fsynced) on every change: an alert change is in it before the
 * dispatcher acknowledges it, a notification is in the outbox before it is sent and leaves it
 * only once delivered (or given up as undeliverable), and the log and the outbox can never
 * disagree. A corrupt file or bad entries are set aside (see StateFiles) and the rest is used.
 */
export class NotifyStore {
  readonly file: string;
  private state: NotifyState;
  /** How many notifications of each receiver the outbox holds (a lookup, not a walk). */
  private readonly queuedBy = new Map<string, number>();
  /**
   * Changed since notify.json was last written whole, other than notifications leaving the
   * outbox and notifier memory (the journal records those).
   */
  private dirty = true;
  /** Ids of the notifications that left the outbox since the last write (whole or journal). */
  private left: string[] = [];
  /** Notifier memory changed since the last write (whole or journal). */
  private remembered: MemoryChanges = {};
  /** Bytes of notify.json as last written whole. */
  private written = 0;
  /** notify.json's `generation`: the number of its last whole write (the journal's lines name it). */
  private generation = -1;
  private readonly journal: DeliveredJournal | undefined;
  /** The groups' alerts neither said firing nor marked muted (what markMuted asks about). */
  private readonly unsaid = new UnsaidAlerts();

  constructor(
    stateDir: string | undefined,
    private readonly files: StateFiles = new StateFiles(),
    now?: number,
  ) {
    this.file = stateDir ? join(stateDir, 'notify.json') : '';
    const saved = this.file ? files.read(this.file, (raw) => NotifyStore.check(raw)) : undefined;
    this.state = saved?.state ?? {
      outbox: [],
      log: {},
      groups: {},
      notifiers: {},
      caps: {},
      reports: {},
      outages: {},
    };
    // After a restart everything in the outbox is tried at once (a saved time far ahead must not park it).
    if (now !== undefined)
      for (const item of this.state.outbox) item.nextAttemptAt = Math.min(item.nextAttemptAt, now);
    this.journal = this.file ? new DeliveredJournal(`${this.file}.delivered`, files.log) : undefined;
    if (saved && this.journal) {
      this.generation = saved.generation;
      const { outbox, notifiers } = this.state;
      this.state.outbox = this.journal.replay(outbox, notifiers, saved.generation, sizeOf(this.file));
    }
    // No notify.json to follow (lost, or corrupt and set aside): a journal left beside it names
    // a file that is gone, and its lines could match the new file's first generation.
    else this.journal?.clear();
    for (const item of this.state.outbox) this.count(item.notification.receiver, 1);
    for (const key of Object.keys(this.state.groups)) this.indexUnsaid(key);
  }

  /** The group `key` or its log entry changed as a whole (see UnsaidAlerts). */
  private indexUnsaid(key: string): void {
    const g = this.state.groups[key];
    const logged = this.state.log[key]?.firing ?? [];
    this.unsaid.group(key, g ? Object.keys(g.alerts) : [], logged, g?.muted ?? []);
  }
  /** One alert of the group `key` changed (see UnsaidAlerts). */
  private indexUnsaidAlert(key: string, id: string): void {
    const g = this.state.groups[key];
    const logged = this.state.log[key]?.firing.includes(id) === true;
    this.unsaid.alert(key, id, g?.alerts[id] !== undefined && !logged && !g.muted?.includes(id));
  }

  private count(receiver: string, by: 1 | -1): void {
    const n = (this.queuedBy.get(receiver) ?? 0) + by;
    if (n > 0) this.queuedBy.set(receiver, n);
    else this.queuedBy.delete(receiver);
  }

  private static check(
    raw: unknown,
  ): { value: { state: NotifyState; generation: number }; discarded: string[] } | { error: string } {
    if (!isJsonObject(raw) || raw.version !== VERSION)
      return { error: `it is not a version ${VERSION} notification state object` };
    const discarded: string[] = [];
    const state: NotifyState = {
      outbox: validEntries('outbox', raw.outbox, checks.outbox, discarded),
      log: validMap('log', raw.log, checks.log, discarded),
      groups: validMap('groups', raw.groups, checks.groups, discarded),
      notifiers: validMap('notifiers', raw.notifiers, checks.notifiers, discarded),
      caps: validMap('caps', raw.caps, checks.caps, discarded),
      reports: validMap('reports', raw.reports, checks.reports, discarded),
      outages: validMap('outages', raw.outages, checks.outages, discarded),
    };
    // Written before the journal (or by hand): no journal line follows generation -1.
    const generation = Number.isSafeInteger(raw.generation) ? (raw.generation as number) : -1;
    return { value: { state, generation }, discarded };
  }

  /**
   * Writes the state durably; on a failed write the daemon carries on from memory (StateFiles
   * retries). When all that changed since the last write is notifications leaving the outbox
   * and notifier memory, that is appended to the journal (DeliveredJournal) instead, until it
   * holds half of notify.json's size (64 KiB at least): then notify.json is written whole and
   * the journal emptied.
   */
  save(): void {
    const journalled = this.left.length > 0 || Object.keys(this.remembered).length > 0;
    if (!this.file || (!this.dirty && !journalled)) return;
    if (!this.dirty && this.journal?.record(this.left, this.remembered, this.generation, this.written)) {
      this.left = [];
      this.remembered = {};
      return;
    }
    // A new number while the journal may hold lines of the last one (a kill before its removal
    // would leave them), written or not (StateFiles may write a failed one later).
    if (this.generation < 0 || !this.journal?.empty) this.generation = Math.max(this.generation, 0) + 1;
    const text = JSON.stringify({ version: VERSION, generation: this.generation, ...this.state });
    const ok = this.files.write(this.file, text);
    if (ok) {
      this.journal?.clear();
      this.written = Buffer.byteLength(text);
    }
    this.dirty = !ok;
    this.left = [];
    this.remembered = {};
  }

  /** An outbox item was changed in place (pipeline/announced.ts): the next save writes the whole file. */
  touched(): void {
    this.dirty = true;
  }

  // --- Groups: what waits to go out, by group key ---
  /** Group keys with the ids of their alerts neither said firing nor marked muted (see UnsaidAlerts). */
  unsaidAlerts(): [string, ReadonlySet<string>][] {
    return this.unsaid.entries();
  }
  groups(): readonly Readonly<PendingGroup>[] {
    return Object.values(this.state.groups);
  }
  group(key: string): Readonly<PendingGroup> | undefined {
    return this.state.groups[key];
  }
  /** A new group, with no alerts yet, flushed first at `nextFlushAt`. */
  openGroup(g: Omit<PendingGroup, 'alerts'>): void {
    this.dirty = true;
    this.state.groups[g.key] = { ...g, alerts: {} };
    this.indexUnsaid(g.key);
  }
  dropGroup(key: string): void {
    this.dirty = true;
    delete this.state.groups[key];
    this.indexUnsaid(key);
  }
  /** The newest state of an alert in a group; the group flushes at `flushAt` unless a flush is already due. */
  groupAlert(key: string, alert: Alert, flushAt: number): void {
    this.dirty = true;
    const g = this.state.groups[key];
    if (!g) return;
    // Resolved and firing again before a flush: a new episode, not muted yet.
    const held = g.alerts[alert.id];
    if (alert.state === 'firing' && held?.state === 'resolved') unmark(g, alert.id);
    // The value it breached with, for a message that tells it fired and resolved.
    g.alerts[alert.id] =
      alert.state === 'resolved' && held?.state === 'firing'
        ? { ...alert, firedValue: held.value, firedValueText: held.valueText }
        : alert;
    g.nextFlushAt ??= flushAt;
    this.indexUnsaidAlert(key, alert.id);
  }
  /** A silence or an inhibition mutes the group's alert now (see PendingGroup.muted). */
  markMuted(key: string, alertId: string): void {
    this.dirty = true;
    const g = this.state.groups[key];
    if (g?.alerts[alertId] && !g.muted?.includes(alertId)) (g.muted ??= []).push(alertId);
    this.indexUnsaidAlert(key, alertId);
  }
  /** A group's alert as it reads now (the same alert, newer duration and data age). */
  refreshGroupAlert(key: string, alert: Alert): void {
    this.dirty = true;
    const g = this.state.groups[key];
    if (g?.alerts[alert.id]) g.alerts[alert.id] = alert;
  }
  ungroupAlert(key: string, alertId: string): void {
    this.dirty = true;
    const g = this.state.groups[key];
    if (!g) return;
    delete g.alerts[alertId];
    unmark(g, alertId);
    this.indexUnsaidAlert(key, alertId);
  }
  /** After a flush: resolved alerts leave the group; an empty group goes, others flush again after group_interval. */
  groupFlushed(key: string, now: number): void {
    this.dirty = true;
    const g = this.state.groups[key];
    if (!g) return;
    for (const a of Object.values(g.alerts))
      if (a.state === 'resolved') {
        delete g.alerts[a.id];
        unmark(g, a.id);
      }
    g.lastFlushAt = now;
    if (Object.keys(g.alerts).length === 0) delete this.state.groups[key];
    else g.nextFlushAt = now + g.timing.groupIntervalMs;
    this.indexUnsaid(key);
  }

  // --- The notification log: what each group last said was firing ---
  logEntry(key: string): Readonly<LogEntry> | undefined {
    return this.state.log[key];
  }
  /**
   * What a group said was firing (firing alerts), or that it has nothing firing any more (none).
   * Of the alerts not told (see LogEntry), those this message `announced` are told now.
   */
  logFiring(key: string, firing: readonly Alert[], at: number, announced: readonly string[] = []): void {
    this.dirty = true;
    if (!firing.length) {
      delete this.state.log[key];
      this.indexUnsaid(key);
      return;
    }
    const ids = firing.map((a) => a.id);
    const untold = (this.state.log[key]?.untold ?? []).filter(
      (id) => ids.includes(id) && !announced.includes(id),
    );
    this.state.log[key] = { firing: ids, at, alerts: [...firing], ...(untold.length ? { untold } : {}) };
    this.indexUnsaid(key);
  }
  /** An alert a group will never resolve (it left quietly): out of that group's log entry. */
  unlogAlert(key: string, alertId: string): void {
    this.dirty = true;
    const entry = this.state.log[key];
    if (!entry) return;
    entry.firing = entry.firing.filter((id) => id !== alertId);
    if (entry.alerts) entry.alerts = entry.alerts.filter((a) => a.id !== alertId);
    if (entry.untold) entry.untold = entry.untold.filter((id) => id !== alertId);
    this.indexUnsaidAlert(key, alertId);
  }
  /** Every notification that would have told the group's receiver that the alert fires was given up. */
  untoldAlert(key: string, alertId: string): void {
    this.dirty = true;
    const entry = this.state.log[key];
    if (entry?.firing.includes(alertId) && !entry.untold?.includes(alertId))
      (entry.untold ??= []).push(alertId);
  }
  /**
   * At start-up, entry by entry: hands the entry's saved alerts to `saw` (to resolve those no
   * longer firing), then keeps in it only the alert ids `keep` accepts; empty entries go.
   */
  reconcileLog(saw: (alerts: readonly Alert[]) => void, keep: (id: string) => boolean): void {
    this.dirty = true;
    for (const [key, entry] of Object.entries(this.state.log)) {
      saw(entry.alerts ?? []);
      entry.firing = entry.firing.filter(keep);
      if (entry.untold) entry.untold = entry.untold.filter(keep);
      if (!entry.firing.length) delete this.state.log[key];
      this.indexUnsaid(key);
    }
  }

  // --- The outbox: notifications to deliver, oldest first ---
  outbox(): readonly OutboxItem[] {
    return this.state.outbox;
  }
  /** How many of the outbox's notifications are for `receiver`. */
  queuedFor(receiver: string): number {
    return this.queuedBy.get(receiver) ?? 0;
  }
  /** `announces`: the firing alerts it is the first to tell its group of (see OutboxItem). */
  enqueue(notification: Notification, now: number, announces: readonly string[] = []): void {
    this.dirty = true;
    this.state.outbox.push({
      notification,
      attempts: 0,
      nextAttemptAt: now,
      ...(announces.length ? { announces: [...announces] } : {}),
    });
    this.count(notification.receiver, 1);
  }
  /**
   * A report's notification for one receiver, queued once: false (and nothing queued) when it
   * was queued before. Reports queued longer ago than `forgetBefore` are forgotten.
   */
  enqueueReport(notification: Notification, now: number, forgetBefore: number): boolean {
    this.dirty = true;
    for (const [id, at] of Object.entries(this.state.reports))
      if (at < forgetBefore) delete this.state.reports[id];
    if (this.state.reports[notification.id] !== undefined) return false;
    this.state.reports[notification.id] = now;
    this.enqueue(notification, now);
    return true;
  }
  /** A failed attempt: when to try again, and why it failed. */
  attemptFailed(item: OutboxItem, error: string, nextAttemptAt?: number): void {
    this.dirty = true;
    item.attempts++;
    item.lastError = error;
    if (nextAttemptAt !== undefined) item.nextAttemptAt = nextAttemptAt;
  }
  /**
   * Delivered or given up: out of the outbox, in place (a new array per item was O(n) garbage
   * a send: a pass over 4,000 queued spent a third of its time collecting it).
   */
  done(item: OutboxItem): void {
    const i = this.state.outbox.indexOf(item);
    if (i < 0) return;
    this.state.outbox.splice(i, 1);
    this.left.push(item.notification.id);
    this.count(item.notification.receiver, -1);
  }

  // --- Outages: per receiver, when the one going on began ---
  outageSince(receiver: string): number | undefined {
    // Own entries only, as each map keyed by a receiver's name (see ownMap): "toString" may be one.
    return Object.hasOwn(this.state.outages, receiver) ? this.state.outages[receiver] : undefined;
  }
  outageBegan(receiver: string, at: number): void {
    this.dirty = true;
    this.state.outages[receiver] = at;
  }
  outageOver(receiver: string): void {
    this.dirty = true;
    delete this.state.outages[receiver];
  }
  /** At start-up: outages of receivers no longer configured are forgotten. */
  keepOutagesOf(receivers: ReadonlyMap<string, unknown>): void {
    this.dirty = true;
    for (const r of Object.keys(this.state.outages)) if (!receivers.has(r)) delete this.state.outages[r];
  }

  // --- Rate caps: per receiver, send times inside the window and what was held back ---
  caps(): [string, Readonly<CapState>][] {
    return Object.entries(this.state.caps);
  }
  /** Send times of `receiver` inside its window ending at `now` (older ones are forgotten). */
  capWindow(receiver: string, perMs: number, now: number): readonly number[] {
    this.dirty = true;
    const cap = this.cap(receiver);
    cap.sent = cap.sent.filter((t) => t > now - perMs);
    return cap.sent;
  }
  capSent(receiver: string, now: number): void {
    this.dirty = true;
    this.cap(receiver).sent.push(now);
  }
  /** A notification of `alerts` alerts held back by the cap. */
  capHold(receiver: string, alerts: number, now: number): void {
    this.dirty = true;
    const cap = this.cap(receiver);
    cap.held++;
    cap.heldAlerts += alerts;
    cap.heldSince ??= now;
  }
  /** What was held back, now summarised: the count starts again. */
  capReleased(receiver: string): void {
    this.dirty = true;
    const cap = this.cap(receiver);
    cap.held = 0;
    cap.heldAlerts = 0;
    delete cap.heldSince;
  }
  private cap(receiver: string): CapState {
    const { caps } = this.state;
    return Object.hasOwn(caps, receiver)
      ? caps[receiver]!
      : (caps[receiver] = { sent: [], held: 0, heldAlerts: 0 });
  }

  /**
   * A notifier's memory: each change is saved at once (the journal records it, see save), so a
   * step it records is durable before its next call.
   */
  memory(notifier: string): NotifierMemory {
    const m = ownMap(this.state.notifiers, notifier);
    const change = (k: string, v: string | null): void => {
      ownMap(this.remembered, notifier)[k] = v;
      this.save();
    };
    return {
      get: (k) => (Object.hasOwn(m, k) ? m[k] : undefined),
      set: (k, v) => {
        m[k] = v;
        change(k, v);
      },
      delete: (k) => {
        delete m[k];
        change(k, null);
      },
    };
  }
}

/** A file's size in bytes (0 when it cannot be read). */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
