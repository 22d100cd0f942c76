import { CATEGORIES, type Category } from '../zoom/limits.js';
import type { NotifierBacklog } from '../notify/dispatcher.js';
import type { CoverageReport } from '../poll/coverage.js';
import type { CycleReport } from '../poll/cycle-parts.js';
import type { SourcesSettings } from '../poll/settings.js';
import type { WebhooksStatus } from '../poll/webhooks/service.js';
import type { CloseReason, GuardStats } from '../util/connection-guard.js';

/** One Zoom account's daily budget as /api/v1/status shows it (times in ISO 8601, null when none). */
export interface BudgetStatus {
  allowance: number;
  used_today: number;
  remaining_today: number;
  blocked_until: string | null;
  /**
   * Rate-limit categories a per-second or per-minute 429 pauses now, and until when: their calls
   * wait for a later cycle (docs/polling.md); empty when none is paused.
   */
  rate_limited_until: Partial<Record<Category, string>>;
  last_success: string | null;
  /**
   * Calls reserved by `report` and `inspect` processes running beside the daemon and not made
   * yet (counted out of remaining_today): owner pid, calls, expiry; `sizing` while one reads its
   * instance's details (docs/report.md).
   */
  reservations: { pid: number; calls: number; expires: string; sizing?: true }[];
}

/** What after-call reports have done since start, and how many are kept. */
export interface ReportsStatus {
  made: number;
  queued: number;
  sent: number;
  /** Ended instances whose report is still to be made. */
  pending: number;
  deferred: number;
  failed: number;
  given_up: number;
  /** Zoom API calls the reports made. */
  calls: number;
  kept: number;
}

/** One notifier's part of the outbox in /api/v1/status. */
export interface NotifierOutboxStatus {
  /** Notifications waiting for it. */
  queued: number;
  /** How long the oldest of them has waited, in seconds (0 when none). */
  oldest_age_seconds: number;
  /** It backs off as a whole (a timeout, a failed connection or a 429, until it delivers again). */
  backing_off: boolean;
}

/** Each notifier's part of the outbox as /api/v1/status shows it, by notifier name. */
export function outboxByNotifier(backlog: readonly NotifierBacklog[]): Record<string, NotifierOutboxStatus> {
  return Object.fromEntries(
    backlog.map((b) => [
      b.notifier,
      { queued: b.queued, oldest_age_seconds: b.oldestAgeMs / 1000, backing_off: b.backingOff },
    ]),
  );
}

/**
 * What an HTTP listener's connection guard holds now, and the connections it closed since start
 * by reason (the `qoswatch_http_connections_closed_total` series).
 */
export interface ConnectionsStatus {
  open: number;
  /** Requests read and waiting behind their connection's answer in flight. */
  waiting: number;
  /** Bytes of answers written and not yet taken by the OS. */
  buffered_bytes: number;
  closed: Record<CloseReason, number>;
}

export function connectionsStatus(s: GuardStats): ConnectionsStatus {
  return { open: s.open, waiting: s.waiting, buffered_bytes: s.buffered, closed: { ...s.closed } };
}

/** What /api/v1/status answers (docs/metrics.md): one section after another. */
export interface StatusReport {
  version: string;
  started_at: string;
  ready: boolean;
  sources: SourcesSettings;
  /** Live instances by kind. */
  live_instances: Record<string, number>;
  coverage: CoverageReport;
  /** By account (`zoom`, `videosdk`). */
  budget: Record<string, BudgetStatus>;
  /** With `webhooks:` only. */
  webhooks?: WebhooksStatus;
  /** The last poll cycle, its times in ISO 8601; null before the first ends. */
  last_cycle:
    (Omit<CycleReport, 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt: string }) | null;
  rules: { loaded: number; last_reload: { ok: boolean; at: string; problems: string[] } };
  /** With `reports:` only; null otherwise. */
  reports: ReportsStatus | null;
  /** Each HTTP listener's connections: `metrics.listen`, and the webhook receiver's port with `webhooks:`. */
  connections: { metrics: ConnectionsStatus | null; webhooks?: ConnectionsStatus };
  /** Null when no notifier is configured. */
  notifications: {
    outbox: number;
    /**
     * Every configured notifier's part of the outbox, as the `qoswatch_notification_outbox_*`
     * and `..._backing_off` series say it: which one holds the backlog, for how long, and
     * whether it waits as a whole.
     */
    by_notifier: Record<string, NotifierOutboxStatus>;
    /** Notifications sent, by receiver. */
    sent: Record<string, number>;
    /** Failed deliveries, by `receiver|reason`. */
    failed: Record<string, number>;
  } | null;
}

/** The categories a 429 pauses now, each with the ISO time its pause ends (BudgetStatus.rate_limited_until). */
export function rateLimitedUntil(client: {
  pause(category: Category): { until: number } | undefined;
}): BudgetStatus['rate_limited_until'] {
  const out: BudgetStatus['rate_limited_until'] = {};
  for (const category of CATEGORIES) {
    const until = client.pause(category)?.until;
    if (until !== undefined) out[category] = new Date(until).toISOString();
  }
  return out;
}
