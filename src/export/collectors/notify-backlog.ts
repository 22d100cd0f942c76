import { Gauge, type Registry } from 'prom-client';
import type { NotifierBacklog } from '../../notify/dispatcher.js';

/**
 * Which notifier holds the outbox's backlog: the parts of `qoswatch_notification_outbox_depth`
 * (which keeps its name: alert rules and dashboards read it), one series per configured notifier
 * from the start.
 */
const SERIES: { name: string; help: string; read: (b: NotifierBacklog) => number }[] = [
  {
    name: 'qoswatch_notification_outbox_queued',
    help: 'Notifications waiting in the outbox, by notifier.',
    read: (b) => b.queued,
  },
  {
    name: 'qoswatch_notification_outbox_oldest_age_seconds',
    help: 'How long the oldest notification waiting for the notifier has waited (0 when none).',
    read: (b) => b.oldestAgeMs / 1000,
  },
  {
    name: 'qoswatch_notification_backing_off',
    help: '1 while the notifier backs off as a whole (after a timeout, a failed connection or a 429, until it delivers again).',
    read: (b) => (b.backingOff ? 1 : 0),
  },
];

export function registerBacklogMetrics(registry: Registry, backlog: () => readonly NotifierBacklog[]): void {
  for (const s of SERIES) {
    const gauge: Gauge<'notifier'> = new Gauge({
      name: s.name,
      help: s.help,
      labelNames: ['notifier'],
      registers: [registry],
      collect: () => {
        gauge.reset();
        for (const b of backlog()) gauge.set({ notifier: b.notifier }, s.read(b));
      },
    });
  }
}
