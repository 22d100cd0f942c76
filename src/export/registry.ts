import { Registry } from 'prom-client';
import type { RuleEngine } from '../evaluate/engine.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { CycleReport, Scheduler } from '../poll/scheduler.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import { registerHttpMetrics, type HttpView } from './collectors/http.js';
import { registerRuleMetrics } from './collectors/rules.js';
import { registerNotifyMetrics } from './collectors/notify.js';
import { registerPollMetrics } from './collectors/poll.js';
import { processDefaults, registerProcessMetrics } from './collectors/process.js';
import type { QualityOptions } from './collectors/quality.js';
import { registerWebhookMetrics, type WebhookCounts, type WebhookObservers } from './collectors/webhooks.js';
import { registerZoomMetrics, type ZoomAccountView } from './collectors/zoom.js';
import type { LiveState } from './live-state.js';

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
  /** The HTTP listeners, and the connections each one's guard closed. */
  http: HttpView;
  clock: Clock;
  version: string;
  options: QualityOptions;
}

/** The daemon's own health on a prom-client registry, and the observers that feed its histograms. */
export interface HealthRegistry {
  /** Node's default metrics: the process's, shared by every daemon of it (processDefaults); rendered first. */
  defaults: Registry;
  registry: Registry;
  observeCycle: (r: CycleReport) => void;
  /** Hand-off and answer times of the push source (webhooks configured). */
  webhooks: WebhookObservers | undefined;
}

/**
 * Builds the registry with one collector per area, each given a narrow read-only view of its
 * area. Imported by metrics.ts when first used, not at start-up: prom-client and what it
 * requires are the heaviest modules the daemon loads (issue 16, start-up).
 */
export function healthRegistry(inputs: MetricsInputs): HealthRegistry {
  const { engine, scheduler, clock } = inputs;
  const registry = new Registry();
  registerProcessMetrics(registry, {
    version: inputs.version,
    ...(inputs.stateWriteFailures ? { stateWriteFailures: inputs.stateWriteFailures } : {}),
  });
  registerRuleMetrics(registry, {
    rulesLoaded: () => engine.ruleList.length,
    rulesReload: inputs.rulesReload,
  });
  registerZoomMetrics(
    registry,
    () =>
      Object.entries(inputs.clients).filter(
        (e): e is [string, ZoomAccountView & ZoomClient] => e[1] !== undefined,
      ),
    () => clock.now(),
  );
  const { observeCycle } = registerPollMetrics(registry, {
    lastCycle: () => scheduler.lastCycle,
    coverage: () => scheduler.coverage.report(clock.now()),
    instanceKinds: () => scheduler.instances().map((i) => i.ref.kind),
    normalize: inputs.normalizeStats,
  });
  registerNotifyMetrics(registry, inputs.dispatcher);
  registerHttpMetrics(registry, inputs.http);
  const counts = inputs.webhooks;
  const webhooks =
    counts &&
    registerWebhookMetrics(registry, {
      counts,
      samplesAfterEnd: () => scheduler.pushes.lifecycle.samplesAfterEnd,
      paths: scheduler.pushes.paths,
      tracked: () => scheduler.instances().map((i) => i.ref),
      now: () => clock.now(),
    });
  return { defaults: processDefaults(), registry, observeCycle, webhooks };
}
