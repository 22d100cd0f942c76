import { Counter, type Registry } from 'prom-client';
import type { NotifierBacklog } from '../../notify/dispatcher.js';
import { NOTIFY_ERROR_CODES } from '../../notify/plugins/errors.js';
import type { NotifyStatsView } from '../../notify/pipeline/stats.js';
import { scrapeGauge } from './common.js';
import { registerBacklogMetrics } from './notify-backlog.js';

/** What the notification series read of the dispatcher (undefined until notifications start). */
export interface NotifyView {
  readonly receiverNames: readonly string[];
  readonly stats: NotifyStatsView;
  readonly outboxDepth: number;
  outboxByNotifier(): readonly NotifierBacklog[];
}

/** Every reason a delivery attempt can fail for: the notifiers' error codes, and giving up. */
const FAIL_REASONS = [...NOTIFY_ERROR_CODES, 'expired'] as const;

/**
 * Notifications sent, failed and held, and the outbox. Every per-notifier counter starts at 0
 * for every configured notifier, so that rate() and increase() see its first delivery and its
 * first failure: an alert on a notifier that never succeeded fires.
 */
export function registerNotifyMetrics(registry: Registry, dispatcher: () => NotifyView | undefined): void {
  const registers = [registry];
  const perNotifier = (
    name: string,
    help: string,
    read: (s: NotifyStatsView) => ReadonlyMap<string, number>,
  ): void => {
    new Counter({
      name,
      help,
      labelNames: ['notifier'],
      registers,
      collect() {
        this.reset();
        const d = dispatcher();
        for (const notifier of d?.receiverNames ?? []) this.inc({ notifier }, 0);
        for (const [notifier, n] of d ? read(d.stats) : []) this.inc({ notifier }, n);
      },
    });
  };
  perNotifier('qoswatch_notifications_sent_total', 'Notifications delivered, by notifier.', (s) => s.sent);
  new Counter({
    name: 'qoswatch_notifications_failed_total',
    help: 'Failed delivery attempts by notifier and reason (retried unless the reason is permanent or expired).',
    labelNames: ['notifier', 'reason'],
    registers,
    collect() {
      this.reset();
      const d = dispatcher();
      for (const notifier of d?.receiverNames ?? [])
        for (const reason of FAIL_REASONS) this.inc({ notifier, reason }, 0);
      for (const [notifier, byReason] of d?.stats.failed ?? [])
        for (const [reason, n] of byReason) this.inc({ notifier, reason }, n);
    },
  });
  perNotifier(
    'qoswatch_notifications_held_total',
    'Notifications a rate cap held back, by notifier.',
    (s) => s.held,
  );
  scrapeGauge(
    registry,
    'qoswatch_notification_outbox_depth',
    'Notifications waiting in the outbox.',
    () => dispatcher()?.outboxDepth ?? 0,
  );
  registerBacklogMetrics(registry, () => dispatcher()?.outboxByNotifier() ?? []);
}
