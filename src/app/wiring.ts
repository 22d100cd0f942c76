import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { RuleEngine } from '../evaluate/engine.js';
import type { LiveState } from '../export/live-state.js';
import { Metrics } from '../export/metrics.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { Scheduler } from '../poll/scheduler.js';
import { ReportWorker } from '../report/worker.js';
import { Webhooks } from '../poll/webhooks/service.js';
import type { Clock } from '../util/clock.js';
import type { StateFiles } from '../util/state-files.js';
import type { ZoomClient } from '../zoom/client.js';
import type { AlertFlow, FanOut } from './alert-flow.js';
import { HttpApi } from './http-api.js';
import { PushCommit } from './push-commit.js';
import type { ReloadState } from './rule-reload.js';

/** The parts the Daemon has built before the metrics, webhooks, reports and API are wired to them. */
export interface Wiring {
  config: Config;
  clock: Clock;
  log: Logger;
  version: string;
  clients: { zoom?: ZoomClient; videosdk?: ZoomClient };
  scheduler: Scheduler;
  engine: RuleEngine;
  live: LiveState;
  normalizeStats: NormalizeStats;
  stateFiles: StateFiles;
  sink: FanOut;
  alerts: AlertFlow;
  dispatcher: () => Dispatcher | undefined;
  rulesReload: () => ReloadState;
}

/** The Prometheus metrics, each area's collector with its view. */
function buildMetrics(
  w: Wiring,
  built: { readonly webhooks?: Webhooks | undefined; readonly api?: HttpApi | undefined },
): Metrics {
  return new Metrics({
    live: w.live,
    engine: w.engine,
    scheduler: w.scheduler,
    clients: w.clients,
    normalizeStats: w.normalizeStats,
    dispatcher: w.dispatcher,
    stateWriteFailures: () => w.stateFiles.failures,
    rulesReload: w.rulesReload,
    ...(w.config.webhooks ? { webhooks: () => built.webhooks } : {}),
    http: {
      listeners: w.config.webhooks ? ['metrics', 'webhooks'] : ['metrics'],
      connections: (listener) =>
        listener === 'metrics' ? built.api?.connections : built.webhooks?.receiver.connections,
    },
    clock: w.clock,
    version: w.version,
    options: {
      topicLabel: w.config.metrics.topicLabel,
      participantSeries: w.config.metrics.participantSeries,
      participantIdentity: w.config.metrics.participantIdentity,
    },
  });
}

/**
 * Zoom's QSS webhooks, when configured, with the PushCommit that commits the alerts pushed data
 * changed; an ended instance is forgotten by their source too.
 */
function buildWebhooks(
  w: Wiring,
  metrics: Metrics,
): { webhooks: Webhooks; pushCommit: PushCommit } | undefined {
  const observers = metrics.webhooks;
  if (!w.config.webhooks || !observers) return undefined;
  const { clock, log } = w;
  // Alerts from pushed data reach the dispatcher soon, not at the next poll cycle.
  const pushCommit = new PushCommit(w.alerts, clock, observers.observeLatency);
  const webhooks = new Webhooks(w.config.webhooks, w.scheduler.pushes, {
    clock,
    log,
    normalizeStats: w.normalizeStats,
    stateDir: w.config.stateDir,
    stateFiles: w.stateFiles,
    gapToleranceMs: w.config.rules.gapToleranceMs,
    observeAnswer: observers.observeAnswer,
    handedOn: (receivedAt) => pushCommit.handedOn(receivedAt),
  });
  w.sink.add({ handle: (e) => e.type === 'ended' && webhooks.source.forget(e.instance) });
  return { webhooks, pushCommit };
}

/** Reports after every call, when configured: fed the pipeline's events and the alert changes. */
function buildReports(w: Wiring): ReportWorker | undefined {
  if (!w.config.reports) return undefined;
  const reports = new ReportWorker({
    settings: w.config.reports,
    stateDir: w.config.stateDir,
    files: w.stateFiles,
    clock: w.clock,
    log: w.log.child({ component: 'reports' }),
    clients: w.clients,
    polling: w.scheduler,
    rules: w.engine,
    gapToleranceMs: w.config.rules.gapToleranceMs,
    pollIntervals: w.config.poll,
    queue: w.dispatcher,
    random: Math.random,
  });
  w.sink.add(reports.sink);
  w.alerts.onAlerts((changes) => reports.onAlerts(changes));
  return reports;
}

/** The status API, readiness and /metrics. */
function buildApi(
  w: Wiring,
  built: {
    startedAt: number;
    metrics: Metrics;
    webhooks: Webhooks | undefined;
    reports: ReportWorker | undefined;
    started: () => boolean;
  },
): HttpApi {
  return new HttpApi({
    config: w.config,
    clock: w.clock,
    log: w.log,
    version: w.version,
    startedAt: built.startedAt,
    clients: w.clients,
    scheduler: w.scheduler,
    engine: w.engine,
    live: w.live,
    metrics: built.metrics,
    webhooks: built.webhooks,
    reports: built.reports?.store,
    reportWorker: built.reports,
    dispatcher: w.dispatcher,
    rulesReload: w.rulesReload,
    started: built.started,
  });
}

/** What wire() builds: the parts every area reads through its view. */
export interface Wired {
  metrics: Metrics;
  webhooks: Webhooks | undefined;
  pushCommit: PushCommit | undefined;
  reports: ReportWorker | undefined;
  api: HttpApi;
}

/** Builds the metrics, the webhooks (when configured), the reports (when configured) and the API, in that order. */
export function wire(w: Wiring, run: { startedAt: number; started: () => boolean }): Wired {
  // Metrics read the webhooks' and the API's counts through a view: they are built next (the
  // webhooks from the metrics' observers).
  const built: { webhooks?: Webhooks | undefined; api?: HttpApi } = {};
  const metrics = buildMetrics(w, built);
  const pushed = buildWebhooks(w, metrics);
  const webhooks = (built.webhooks = pushed?.webhooks);
  const reports = buildReports(w);
  const api = (built.api = buildApi(w, { ...run, metrics, webhooks, reports }));
  return { metrics, webhooks, pushCommit: pushed?.pushCommit, reports, api };
}
