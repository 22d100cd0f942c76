import { Registry } from 'prom-client';
import type { RuleEngine } from '../evaluate/engine.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { CycleReport, Scheduler } from '../poll/scheduler.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import { registerAlertMetrics } from './collectors/alerts.js';
import { registerNotifyMetrics } from './collectors/notify.js';
import { registerPollMetrics } from './collectors/poll.js';
import { registerProcessMetrics } from './collectors/process.js';
import { QualitySeries, type QualityOptions } from './collectors/quality.js';
import { registerWebhookMetrics, type WebhookCounts, type WebhookObservers } from './collectors/webhooks.js';
import { registerZoomMetrics, type ZoomAccountView } from './collectors/zoom.js';
import type { LiveState } from './live-state.js';

export type MetricsOptions = QualityOptions;

/** What the metrics read from the running daemon. Every gauge is rebuilt from it at scrape time. */
export interface MetricsInputs {
  live: LiveState;
  engine: RuleEngine;
  scheduler: Scheduler;
  clients: Readonly<Record<string, ZoomClient | undefined>>;
  normalizeStats: NormalizeStats;
  dispatcher: () => Dispatcher | undefined;
  /** Failed state file writes by file name. */
  stateWriteFailures?: () => ReadonlyMap<string, number>;
  rulesReload: () => { ok: boolean; at: number };
  /** Zoom's webhooks when configured (undefined until they start): the push source's series are registered only then. */
  webhooks?: () => WebhookCounts | undefined;
  clock: Clock;
  version: string;
  options: MetricsOptions;
}

/**
 * qoswatch's Prometheus metrics, one collector per area (collectors/), each given a narrow
 * read-only view of its area: the daemon's own health on a prom-client registry, and call
 * quality (the bulk of a scrape: thousands of series per thousand participants) kept as
 * rendered text per instance and participant (collectors/quality.ts), re-rendered only where
 * the live state changed. Series of instances that ended and of participants who left
 * disappear at the next scrape, never left to go stale.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly observeCycle: (r: CycleReport) => void;
  /** Hand-off and answer times of the push source (webhooks configured). */
  readonly webhooks: WebhookObservers | undefined;
  private readonly quality: QualitySeries;
  /** Ends pushed instances never listed whose pushes stopped, before a scrape reads the live state. */
  private readonly settle: () => void;

  constructor(inputs: MetricsInputs) {
    const { engine, scheduler, clock } = inputs;
    const r = this.registry;
    registerProcessMetrics(r, {
      version: inputs.version,
      ...(inputs.stateWriteFailures ? { stateWriteFailures: inputs.stateWriteFailures } : {}),
    });
    registerAlertMetrics(r, {
      brief: () => engine.brief(),
      rulesLoaded: () => engine.ruleList.length,
      rulesReload: inputs.rulesReload,
    });
    registerZoomMetrics(r, () =>
      Object.entries(inputs.clients).filter(
        (e): e is [string, ZoomAccountView & ZoomClient] => e[1] !== undefined,
      ),
    );
    this.observeCycle = registerPollMetrics(r, {
      lastCycle: () => scheduler.lastCycle,
      coverage: () => scheduler.coverage.report(clock.now()),
      instanceKinds: () => scheduler.instances().map((i) => i.ref.kind),
      normalize: inputs.normalizeStats,
    }).observeCycle;
    registerNotifyMetrics(r, inputs.dispatcher);
    const counts = inputs.webhooks;
    this.webhooks =
      counts &&
      registerWebhookMetrics(r, {
        counts,
        samplesAfterEnd: () => scheduler.pushes.lifecycle.samplesAfterEnd,
        paths: scheduler.pushes.paths,
        tracked: () => scheduler.instances().map((i) => i.ref),
        now: () => clock.now(),
      });
    this.quality = new QualitySeries(inputs.live, inputs.options);
    this.settle = () => scheduler.expireUnlisted(clock.now());
  }

  async text(): Promise<string> {
    this.settle();
    const rest = await this.registry.metrics();
    return `${rest}${rest.endsWith('\n') ? '' : '\n'}${this.quality.text()}`;
  }
}
