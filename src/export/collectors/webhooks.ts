import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { instanceKey } from '../../normalize/events.js';
import type { InstanceRef } from '../../normalize/sample.js';
import { EVENT_TS_COUNTS, type PushStats } from '../../poll/webhooks/push-source.js';
import type { PushPathsView } from '../../poll/webhooks/push-paths.js';
import { OUTCOMES, REFUSALS, type ReceiverStats } from '../../poll/webhooks/receiver.js';
import { scrapeCounter, scrapeGauge } from './common.js';

/** What the push source's series read of the started webhooks: their receiver's, push source's and spool's counts. */
export interface WebhookCounts {
  readonly receiver: { readonly stats: Readonly<ReceiverStats> };
  readonly source: {
    readonly stats: Readonly<Pick<PushStats, 'samples' | 'late' | 'duplicates' | 'future' | 'eventTs'>>;
  };
  readonly spool: { readonly backlogBytes: number };
}

/**
 * What the push source's series read: the webhooks' counts (undefined until they start), the
 * scheduler's push paths and the instances it tracks, and the clock. A scrape changes nothing:
 * takeovers are counted and expired instances ended by the poll cycle, and by the daemon's
 * expiry before /metrics is read.
 */
export interface WebhookView {
  counts(): WebhookCounts | undefined;
  /** Pushed samples dropped as from before their instance ended. */
  samplesAfterEnd(): number;
  readonly paths: PushPathsView;
  tracked(): Iterable<Pick<InstanceRef, 'kind' | 'id' | 'uuid'>>;
  now(): number;
}

/** The observers of hand-off and answer times (ms) the push source's series are fed by. */
export interface WebhookObservers {
  observeLatency: (ms: number) => void;
  observeAnswer: (ms: number) => void;
}

/** Verified requests by outcome, refusals by reason, events by name. */
function registerRequestCounters(registry: Registry, view: WebhookView): void {
  const registers = [registry];
  new Counter({
    name: 'qoswatch_webhook_requests_total',
    help: 'Verified webhook requests by outcome: accepted, duplicate (a redelivered body), url_validation, ignored (an event qoswatch does not read).',
    labelNames: ['outcome'],
    registers,
    collect() {
      this.reset();
      const s = view.counts()?.receiver.stats.outcomes;
      for (const outcome of OUTCOMES) this.inc({ outcome }, s?.get(outcome) ?? 0);
    },
  });
  new Counter({
    name: 'qoswatch_webhook_refused_total',
    help: 'Webhook requests refused before reaching the pipeline, by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      const s = view.counts()?.receiver.stats.refused;
      for (const reason of REFUSALS) this.inc({ reason }, s?.get(reason) ?? 0);
    },
  });
  new Counter({
    name: 'qoswatch_webhook_events_total',
    help: 'Verified webhook events by name; events qoswatch does not read count as "other".',
    labelNames: ['event'],
    registers,
    collect() {
      this.reset();
      for (const [event, n] of view.counts()?.receiver.stats.events ?? []) this.inc({ event }, n);
    },
  });
}

/** Pushed samples by what became of them, and the spool's backlog. */
function registerSampleSeries(registry: Registry, view: WebhookView): void {
  new Counter({
    name: 'qoswatch_webhook_samples_total',
    help: 'Pushed QoS samples handed on to live rules (new: a new minute, or a stream type new to the newest minute), of an older minute never seen (late: counted, not judged by live rules; the post-call report reads every minute from Zoom), dropped as already seen by poll or an earlier push (duplicate), or as from before their instance ended (after_end); refused as dated more than 5 minutes ahead of the Zoom clock they were sent at, its event_ts bounded by the signed request timestamp (future).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      const s = view.counts()?.source.stats;
      this.inc({ result: 'new' }, s?.samples ?? 0);
      this.inc({ result: 'late' }, s?.late ?? 0);
      this.inc({ result: 'duplicate' }, s?.duplicates ?? 0);
      this.inc({ result: 'after_end' }, view.samplesAfterEnd());
      this.inc({ result: 'future' }, s?.future ?? 0);
    },
  });
  new Counter({
    name: 'qoswatch_webhook_event_ts_total',
    help: "QoS events whose event_ts was not taken as Zoom's clock: more than 5 minutes ahead of the clock their app's events have shown (ahead), or implausibly old (past); and steady skews of event_ts ahead of the signed request timestamps taken as Zoom's clock (adopted: a simulator running faster than real time).",
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      const s = view.counts()?.source.stats.eventTs;
      for (const result of EVENT_TS_COUNTS) this.inc({ result }, s?.[result] ?? 0);
    },
  });
  scrapeGauge(
    registry,
    'qoswatch_webhook_spool_backlog_bytes',
    'Bytes of acknowledged webhook events not yet handed on.',
    () => view.counts()?.spool.backlogBytes ?? 0,
  );
}

/** Calls pushes saved, polling's takeovers, and which path each live instance is on. */
function registerPathSeries(registry: Registry, view: WebhookView): void {
  scrapeCounter(
    registry,
    'qoswatch_poll_calls_saved_total',
    'QoS list calls polling did not make because pushes covered the instance.',
    () => view.paths.callsSaved,
  );
  scrapeCounter(
    registry,
    'qoswatch_poll_takeovers_total',
    'Times polling took an instance back after its pushes stopped for webhooks.takeover_after.',
    () => view.paths.takeovers,
  );
  new Gauge({
    name: 'qoswatch_instance_qos_path',
    help: 'Which path a live instance QoS comes by: 1 on the path named by the label (push or poll).',
    labelNames: ['kind', 'instance_id', 'instance_uuid', 'path'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, id, uuid, path] of instancePaths(view)) {
        this.set({ kind, instance_id: id, instance_uuid: uuid, path }, 1);
        this.set({ kind, instance_id: id, instance_uuid: uuid, path: path === 'push' ? 'poll' : 'push' }, 0);
      }
    },
  });
}

/** Each instance the scheduler tracks, and each other instance on push: kind, id, UUID, path. */
function instancePaths(view: WebhookView): [string, string, string, string][] {
  const now = view.now();
  const paths = view.paths;
  const seen = new Set<string>();
  const out: [string, string, string, string][] = [];
  const put = (ref: Pick<InstanceRef, 'kind' | 'id' | 'uuid'>): void => {
    const key = instanceKey(ref);
    out.push([ref.kind, ref.id, ref.uuid, paths.peek(key, now)]);
    seen.add(key);
  };
  for (const ref of view.tracked()) put(ref);
  // The others: pushed instances discovery does not list, each named as its pushes named it.
  for (const ref of paths.instances(now)) {
    const key = instanceKey(ref);
    if (!seen.has(key) && paths.peek(key, now) === 'push') put(ref);
  }
  return out;
}

/**
 * The push source's series: requests by outcome and refusals by reason, events by name, the
 * spool backlog, receive-to-dispatcher time, calls saved and which path each instance is on.
 * Returns the observers of hand-off and answer times (ms).
 */
export function registerWebhookMetrics(registry: Registry, view: WebhookView): WebhookObservers {
  registerRequestCounters(registry, view);
  registerSampleSeries(registry, view);
  registerPathSeries(registry, view);
  const handoff = new Histogram({
    name: 'qoswatch_webhook_handoff_seconds',
    help: 'Time from receiving a QoS webhook to its samples being evaluated and the alert changes they raised handed to the dispatcher (after the alert state is saved).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
    registers: [registry],
  });
  const answer = new Histogram({
    name: 'qoswatch_webhook_answer_seconds',
    help: "Time to a webhook request's answer (Zoom waits 3 s): from the connection's accept for its first request, from when the request was read for the next ones on a kept-alive connection. Not in it: the kernel's accept queue, and a kept-alive request's wait to be read while the event loop is busy (at most about nodejs_eventloop_lag_max_seconds).",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers: [registry],
  });
  return {
    observeLatency: (ms) => handoff.observe(ms / 1000),
    observeAnswer: (ms) => answer.observe(ms / 1000),
  };
}
