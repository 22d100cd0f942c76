import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { RuleEngine } from '../evaluate/engine.js';
import { HttpServer, listenProblem, type HttpReply, type HttpRoutes } from '../export/http-server.js';
import type { LiveState } from '../export/live-state.js';
import type { Metrics } from '../export/metrics.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { Scheduler } from '../poll/scheduler.js';
import type { Webhooks } from '../poll/webhooks/service.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import type { GuardStats } from '../util/connection-guard.js';
import type { ReloadState } from './rule-reload.js';
import type { ReportWorker } from '../report/worker.js';
import { formatJson } from '../report/format-data.js';
import { reportAttachment } from '../report/message.js';
import { validReportId, type ReportStore } from '../report/store.js';
import { failedByKey } from '../notify/pipeline/stats.js';
import { instanceRoutes } from './instances-api.js';
import { connectionsStatus, outboxByNotifier, rateLimitedUntil, type StatusReport } from './status-report.js';

/** What the HTTP API reads: the daemon's parts, read only. */
export interface ApiView {
  config: Config;
  clock: Clock;
  log: Logger;
  version: string;
  startedAt: number;
  clients: { zoom?: ZoomClient; videosdk?: ZoomClient };
  scheduler: Scheduler;
  engine: RuleEngine;
  /** The newest sample of each participant of each live instance. */
  live: LiveState;
  metrics: Metrics;
  webhooks: Webhooks | undefined;
  /** Reports after calls, when configured: those kept, and the worker that makes them. */
  reports: ReportStore | undefined;
  reportWorker: Pick<ReportWorker, 'stats' | 'pending'> | undefined;
  dispatcher(): Dispatcher | undefined;
  rulesReload(): ReloadState;
  /**
   * Whether the daemon's loop runs: it has started (config, rules and saved state loaded,
   * notifiers built, listeners up) and is not stopping (after SIGTERM it only finishes).
   */
  started(): boolean;
}

const json = (body: unknown): { status: number; body: string; type: string } => ({
  status: 200,
  body: JSON.stringify(body, null, 2) + '\n',
  type: 'application/json',
});

const NOT_FOUND: HttpReply = { status: 404, body: 'not found\n' };
/** A report page runs no script and loads nothing: it is self-contained. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

/**
 * /api/v1/reports (list), /api/v1/reports/<id> (JSON) and /reports/<id> (the page). Reports
 * name participants, so they are served only where identities are (basic auth, or the opt-in);
 * an id that is not one qoswatch makes is not found, whatever it holds.
 */
function reportRoutes(store: ReportStore | undefined, identity: boolean): HttpRoutes {
  const refused = (): HttpReply => ({
    status: 403,
    body: 'reports name participants: set metrics.web.basic_auth_users (or metrics.participant_identity_labels) to see them\n',
  });
  const find = (rest: string): ReturnType<ReportStore['get']> =>
    store && validReportId(rest) ? store.get(rest) : undefined;
  return {
    '/api/v1/reports': () => (identity ? json({ reports: store?.list() ?? [] }) : refused()),
    '/api/v1/reports/*': (_req, rest) => {
      if (!identity) return refused();
      const s = find(rest);
      return s ? { status: 200, body: formatJson(s.report), type: 'application/json' } : NOT_FOUND;
    },
    '/reports/*': (_req, rest) => {
      if (!identity) return refused();
      const s = find(rest);
      if (!s) return NOT_FOUND;
      const a = reportAttachment(s.report, s.id);
      return {
        status: 200,
        body: a.content,
        type: a.contentType,
        headers: { 'content-security-policy': REPORT_CSP },
      };
    },
  };
}

/** /metrics, /healthz, /readyz, /api/v1/alerts and /api/v1/status on `metrics.listen`. */
export class HttpApi {
  private http: HttpServer | undefined;

  constructor(private readonly view: ApiView) {}

  /**
   * Ready (docs/metrics.md): started and not stopping, and Zoom not known to fail. Before the first poll cycle
   * ends, started is enough (start-up does not wait on Zoom); once a cycle has ended (completed
   * or failed), Zoom must have answered within the last three max intervals.
   */
  ready(): boolean {
    const v = this.view;
    if (!v.started()) return false;
    if (v.scheduler.cycles === 0 && v.scheduler.failedCycles === 0) return true;
    const last = Math.max(...Object.values(v.clients).map((c) => c.stats.lastSuccessAt ?? 0));
    return v.clock.now() - last <= 3 * v.config.poll.maxIntervalMs;
  }

  /** What /api/v1/status shows: sources, live instances, budget use, coverage, last cycle, reload state. */
  // eslint-disable-next-line max-lines-per-function -- a table: one section of /api/v1/status after another
  status(): StatusReport {
    const v = this.view;
    const now = v.clock.now();
    // A pushed instance discovery never listed, whose pushes stopped: ended before it is read.
    v.scheduler.expireUnlisted(now);
    const live: Record<string, number> = { meeting: 0, webinar: 0, session: 0 };
    for (const i of v.scheduler.instances()) live[i.ref.kind] = (live[i.ref.kind] ?? 0) + 1;
    const budget: StatusReport['budget'] = Object.fromEntries(
      Object.entries(v.clients).map(([name, c]) => [
        name,
        {
          allowance: c.budget.allowance,
          used_today: c.budget.usedToday(),
          remaining_today: c.budget.remaining(),
          blocked_until: c.budget.blocked ? new Date(c.budget.blocked).toISOString() : null,
          rate_limited_until: rateLimitedUntil(c),
          last_success: c.stats.lastSuccessAt ? new Date(c.stats.lastSuccessAt).toISOString() : null,
          reservations: c.budget.reservations().map((r) => ({
            pid: r.pid,
            calls: r.calls,
            expires: new Date(r.expires).toISOString(),
            ...(r.sizing ? { sizing: r.sizing } : {}),
          })),
        },
      ]),
    );
    const cycle = v.scheduler.lastCycle;
    const d = v.dispatcher();
    const reload = v.rulesReload();
    return {
      version: v.version,
      started_at: new Date(v.startedAt).toISOString(),
      ready: this.ready(),
      sources: v.config.sources,
      live_instances: live,
      coverage: v.scheduler.coverage.report(now),
      budget,
      ...(v.webhooks ? { webhooks: v.webhooks.status(now) } : {}),
      last_cycle: cycle
        ? {
            ...cycle,
            startedAt: new Date(cycle.startedAt).toISOString(),
            finishedAt: new Date(cycle.finishedAt).toISOString(),
          }
        : null,
      rules: {
        loaded: v.engine.ruleList.length,
        last_reload: { ...reload, at: new Date(reload.at).toISOString() },
      },
      reports: v.reportWorker
        ? {
            made: v.reportWorker.stats.made,
            queued: v.reportWorker.stats.queued,
            sent: d?.stats.reportsSent ?? 0,
            pending: v.reportWorker.pending,
            deferred: v.reportWorker.stats.deferred,
            failed: v.reportWorker.stats.failed,
            given_up: v.reportWorker.stats.givenUp,
            calls: v.reportWorker.stats.calls,
            kept: v.reports?.list().length ?? 0,
          }
        : null,
      connections: {
        metrics: this.http ? connectionsStatus(this.http.connections) : null,
        ...(v.webhooks ? { webhooks: connectionsStatus(v.webhooks.receiver.connections) } : {}),
      },
      notifications: d
        ? {
            outbox: d.outboxDepth,
            by_notifier: outboxByNotifier(d.outboxByNotifier()),
            sent: Object.fromEntries(d.stats.sent),
            failed: failedByKey(d.stats),
          }
        : null,
    };
  }

  /** What the connection guard of `metrics.listen` holds and has closed; undefined while it does not listen. */
  get connections(): GuardStats | undefined {
    return this.http?.connections;
  }

  /** Listens on `metrics.listen` (or on `port` instead); returns the URL. */
  async listen(port = this.view.config.metrics.port): Promise<string> {
    const v = this.view;
    const m = { ...v.config.metrics, port };
    // Participant names and locations only with the metrics opt-in, or behind basic auth.
    const identity = m.participantIdentity || Object.keys(m.basicAuthUsers ?? {}).length > 0;
    try {
      this.http = new HttpServer(
        {
          '/metrics': async () => ({
            status: 200,
            body: await v.metrics.pieces(),
            type: v.metrics.contentType,
          }),
          '/healthz': () => ({ status: 200, body: 'ok\n' }),
          '/readyz': () =>
            this.ready() ? { status: 200, body: 'ready\n' } : { status: 503, body: 'not ready\n' },
          '/api/v1/alerts': () => json({ alerts: v.engine.active(!identity) }),
          '/api/v1/status': () => json(this.status()),
          ...reportRoutes(v.reports, identity),
          ...instanceRoutes(
            {
              live: v.live,
              scheduler: v.scheduler,
              engine: v.engine,
              clock: v.clock,
              pushes: v.webhooks !== undefined,
            },
            identity,
          ),
        },
        {
          ...(m.tls ? { tls: m.tls } : {}),
          ...(m.basicAuthUsers ? { basicAuthUsers: m.basicAuthUsers } : {}),
          // Probes (Kubernetes, Docker, load balancers) carry no credentials; these two reveal only
          // 'alive' and 'ready'.
          open: ['/healthz', '/readyz'],
          log: v.log.child({ component: 'http' }),
          now: () => v.clock.now(),
        },
      );
      return await this.http.listen(m.port, m.host);
    } catch (err) {
      await this.close();
      throw new Error(listenProblem(err, m), { cause: err });
    }
  }

  async close(): Promise<void> {
    await this.http?.close();
    this.http = undefined;
  }
}
