import { Counter, type Registry } from 'prom-client';
import { CLOSE_REASONS, type GuardStats } from '../../util/connection-guard.js';

/** The daemon's HTTP listeners: `metrics.listen` (metrics, API, probes) and the webhook receiver's port. */
export type Listener = 'metrics' | 'webhooks';

/** What the HTTP series read: the listeners there are, and what each one's connection guard counts. */
export interface HttpView {
  /** `metrics` always, `webhooks` when configured. */
  listeners: readonly Listener[];
  /** A listener's guard counts; undefined while it is not built (a run that does not listen). */
  connections(listener: Listener): GuardStats | undefined;
}

/**
 * The connections each listener's guard (util/connection-guard.ts) closed to bound what
 * clients can make it hold, by reason; every listener and reason from 0.
 */
export function registerHttpMetrics(registry: Registry, view: HttpView): void {
  new Counter({
    name: 'qoswatch_http_connections_closed_total',
    help: "HTTP connections closed to bound what clients can make qoswatch hold, by listener (metrics: metrics.listen; webhooks) and reason: pipelined (more than 16 requests waiting behind the one answered), evicted (the oldest idle or unread one, closed for a new connection past the limit: 64 on metrics, 256 on webhooks), stalled (a request's answer not written and taken by the client within 30 s on metrics, 10 s on webhooks).",
    labelNames: ['listener', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const listener of view.listeners) {
        const closed = view.connections(listener)?.closed;
        for (const reason of CLOSE_REASONS) this.inc({ listener, reason }, closed?.[reason] ?? 0);
      }
    },
  });
}
