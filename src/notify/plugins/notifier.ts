import type { Logger } from 'pino';
import type { Clock } from '../../util/clock.js';
import type { NotifyErrorCode } from './errors.js';
import type { Notification } from './notification.js';

/**
 * `delivery:`'s defaults, as a user would write them: the dispatcher's own when it is built
 * without them, config/defaults.ts's, and Slack's limit on one call when its notifier is built
 * without `timeoutMs` (settings.ts hands them on: a plugin does not import its parent folder).
 */
export const DELIVERY_DEFAULTS = {
  retry_initial: '1s',
  retry_max: '5m',
  give_up_after: '24h',
  timeout: '30s',
} as const;

/**
 * A notifier only formats and sends. It throws a NotifyError that says whether trying again
 * can help; it never retries, never sleeps, and stops when `signal` aborts.
 *
 * `signal` aborts when one call takes longer than `delivery.timeout`. A notifier made of several
 * calls calls `nextCall` after each one that succeeded (the next call gets the whole time again),
 * and records each step that succeeded in its memory first, so that a retry, or a start after a
 * kill, resumes after it instead of making that call again.
 */
export interface Notifier {
  readonly name: string;
  readonly type: string;
  /**
   * Its reminders keep an alert alive at the receiver (Alertmanager ends an alert not re-posted
   * within its endsAt): after a restart they go from the saved state when due, not held until
   * the first cycle has reconciled it with Zoom.
   */
  readonly keepsAlive?: boolean;
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- one that sent it all returns nothing, as every notifier module written so far does
  send(n: Notification, signal: AbortSignal, nextCall?: () => void): Promise<SendOutcome | void>;
  /**
   * The notification is out of the outbox (delivered, or given up): what the notifier kept to
   * resume it can go. Called before the outbox is saved, so both go in one write.
   */
  settled?(n: Notification): void;
  close?(): Promise<void>;
}

/**
 * What a send that went through left out (nothing when it sent it all): the alerts its receiver
 * refused one by one and that were dropped (Alertmanager's 400s for alerts posted alone), one
 * code each. Each counts as a failed attempt (qoswatch_notifications_failed_total).
 */
export interface SendOutcome {
  refused: readonly NotifyErrorCode[];
}

export interface NotifierContext {
  /** The instance's name from the config. */
  name: string;
  clock: Clock;
  log: Logger;
  /**
   * `delivery.timeout`, the limit on one call: a client with timers of its own (nodemailer's
   * connection, greeting and socket timeouts) sets them from it. Always set by the daemon and
   * notify-test; absent, such a client keeps its own defaults.
   */
  timeoutMs?: number;
  /** Durable memory (state directory) for what must survive a restart. */
  memory: NotifierMemory;
}

/** A notifier kind: its settings' JSON Schema and a factory. One registry list holds them all. */
export interface NotifierPlugin<Options = Record<string, unknown>> {
  type: string;
  description: string;
  /** JSON Schema properties of this kind's own settings; they join the config schema. */
  properties: Record<string, object>;
  required?: string[];
  /** Settings that hold a secret: each may also be given as `<name>_file`. */
  secrets?: string[];
  /** Group timing this kind needs unless the config says otherwise (Alertmanager re-posts every minute). */
  defaults?: { group_wait?: string; group_interval?: string; repeat_interval?: string };
  create(options: Options, ctx: NotifierContext): Notifier;
}

/** Small durable key-value memory a notifier may keep (ids of messages it posted). */
export interface NotifierMemory {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}
