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

/**
 * The three series read one backlog a scrape (a walk of the whole outbox): the first gauge's
 * collect sets all three. A scrape reads a registry's metrics in the order they were
 * registered, so the other two are set before they are read.
 */
export function registerBacklogMetrics(registry: Registry, backlog: () => readonly NotifierBacklog[]): void {
  const gauges: Gauge<'notifier'>[] = [];
  const collect = (): void => {
    for (const g of gauges) g.reset();
    for (const b of backlog())
      for (const [i, s] of SERIES.entries()) gauges[i]!.set({ notifier: b.notifier }, s.read(b));
  };
  for (const [i, s] of SERIES.entries())
    gauges.push(
      new Gauge({
        name: s.name,
        help: s.help,
        labelNames: ['notifier'],
        registers: [registry],
        ...(i === 0 ? { collect } : {}),
      }),
    );
}
