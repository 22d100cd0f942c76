import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

export interface ProcessView {
  version: string;
  /** Failed state file writes by file name. */
  stateWriteFailures?: () => ReadonlyMap<string, number>;
}

/**
 * How often Node's event loop delay is sampled (prom-client's default is 10 ms). Each sample is a
 * timer wake-up: at 10 ms an idle daemon spent about 0.49 s of CPU a minute on them, at 50 ms
 * 0.15 s. A stall longer than 50 ms is always seen in `nodejs_eventloop_lag_max_seconds`.
 */
const EVENT_LOOP_SAMPLE_MS = 50;

/**
 * Node's default metrics, in one registry for the process, made when first asked for: they are
 * the process's, and prom-client keeps the registry they are collected into for the life of the
 * process (the GC histogram's performance observer is never disconnected, the event loop
 * histogram never disabled). Collected into a daemon's own registry, whose series read the
 * daemon's parts, they kept every stopped daemon in the heap whole (issue 16:
 * poller-memory.bench's earlier daemons stayed in its measurements).
 */
let defaults: Registry | undefined;
export function processDefaults(): Registry {
  if (defaults) return defaults;
  defaults = new Registry();
  collectDefaultMetrics({ register: defaults, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  // prom-client names these gauges *_total, which promtool rightly flags; keep the output lint-clean.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ])
    defaults.removeSingleMetric(name);
  return defaults;
}

/** The daemon itself: the build, and state file write failures (Node's default metrics: processDefaults). */
export function registerProcessMetrics(registry: Registry, view: ProcessView): void {
  const registers = [registry];
  new Gauge({
    name: 'qoswatch_build_info',
    help: 'qoswatch build information; always 1.',
    labelNames: ['version', 'nodejs_version'],
    registers,
    collect() {
      this.set({ version: view.version, nodejs_version: process.versions.node }, 1);
    },
  });
  new Counter({
    name: 'qoswatch_state_write_failures_total',
    help: 'State file writes that failed (disk full, read-only), by file; each is retried until it succeeds.',
    labelNames: ['file'],
    registers,
    collect() {
      this.reset();
      for (const [file, n] of view.stateWriteFailures?.() ?? []) this.inc({ file }, n);
    },
  });
}
