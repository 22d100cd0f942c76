import type { Config } from '../config/types.js';
import type { RuleEngine } from '../evaluate/engine.js';
import type { LiveState } from '../export/live-state.js';
import type { Metrics } from '../export/metrics.js';
import type { SampleSink } from '../normalize/events.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { Scheduler } from '../poll/scheduler.js';
import type { Webhooks } from '../poll/webhooks/service.js';
import type { ZoomClient } from '../zoom/client.js';
import type { ReportWorker } from '../report/worker.js';

/**
 * The parts as wired, for tests and benches to observe and drive. The CLI uses the Daemon's
 * methods only (eslint keeps `parts` out of src/cli/).
 */
export interface DaemonParts {
  readonly config: Config;
  readonly clients: { readonly zoom?: ZoomClient; readonly videosdk?: ZoomClient };
  readonly scheduler: Scheduler;
  readonly engine: RuleEngine;
  readonly live: LiveState;
  readonly metrics: Metrics;
  readonly normalizeStats: NormalizeStats;
  /** Where the pipeline's events go: every sink in turn. */
  readonly sink: SampleSink;
  /** Zoom's QSS webhooks, when configured. */
  readonly webhooks: Webhooks | undefined;
  /** Reports after every call, when `reports:` is configured. */
  readonly reports: ReportWorker | undefined;
  /** The dispatcher, once `startNotifications` has built it. */
  readonly dispatcher: Dispatcher | undefined;
}
