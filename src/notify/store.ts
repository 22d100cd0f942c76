import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.js';
import type { Notification } from './notification.js';

/** A notification waiting in the outbox, with its delivery attempts. */
export interface OutboxItem {
  notification: Notification;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
}

/** What was last notified for a group: the firing alert ids and when (Alertmanager's notification log). */
export interface LogEntry {
  firing: string[];
  at: number;
}

export interface NotifyState {
  outbox: OutboxItem[];
  log: Record<string, LogEntry>;
  /** Per notifier, what it must remember (Slack: the message of each group). */
  notifiers: Record<string, Record<string, string>>;
  /** Per notifier, the send times inside its rate-limit window and what was held back. */
  caps: Record<string, { sent: number[]; held: number; heldAlerts: number; heldSince?: number }>;
}

const VERSION = 1;

/**
 * The outbox, the notification log and notifier memory in one file, written atomically on
 * every change: a notification is in the outbox before it is sent and leaves it only once
 * delivered (or given up as undeliverable), and the log and the outbox can never disagree.
 */
export class NotifyStore {
  readonly file: string;
  state: NotifyState;

  constructor(stateDir: string | undefined) {
    this.file = stateDir ? join(stateDir, 'notify.json') : '';
    const saved = this.file
      ? (readJsonFile(this.file) as (NotifyState & { version?: number }) | undefined)
      : undefined;
    this.state =
      saved && saved.version === VERSION && Array.isArray(saved.outbox)
        ? { outbox: saved.outbox, log: saved.log, notifiers: saved.notifiers, caps: saved.caps ?? {} }
        : { outbox: [], log: {}, notifiers: {}, caps: {} };
  }

  save(): void {
    if (this.file) writeFileAtomic(this.file, JSON.stringify({ version: VERSION, ...this.state }));
  }

  memory(notifier: string): NotifierMemory {
    const m = (this.state.notifiers[notifier] ??= {});
    return {
      get: (k) => m[k],
      set: (k, v) => {
        m[k] = v;
        this.save();
      },
      delete: (k) => {
        delete m[k];
        this.save();
      },
    };
  }
}

/** Small durable key-value memory a notifier may keep (ids of messages it posted). */
export interface NotifierMemory {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}
