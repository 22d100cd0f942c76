import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Scheduler } from '../../poll/scheduler.js';
import { OUTCOMES, REFUSALS } from '../../poll/webhooks/receiver.js';
import type { Webhooks } from '../../poll/webhooks/service.js';
import type { Clock } from '../../util/clock.js';

/** What the push source's series read: the webhooks (when started), the scheduler's paths, the clock. */
export interface WebhookInputs {
  webhooks: () => Webhooks | undefined;
  scheduler: Scheduler;
  clock: Clock;
}

type Reg = { registers: Registry[] };

/** Verified requests by outcome, refusals by reason, events by name. */
function registerRequestCounters(reg: Reg, w: WebhookInputs['webhooks']): void {
  new Counter({
    name: 'qoswatch_webhook_requests_total',
    help: 'Verified webhook requests by outcome: accepted, duplicate (a redelivered body), url_validation, ignored (an event qoswatch does not read).',
    labelNames: ['outcome'],
    ...reg,
    collect() {
      this.reset();
      const s = w()?.receiver.stats.outcomes;
      for (const outcome of OUTCOMES) this.inc({ outcome }, s?.get(outcome) ?? 0);
    },
  });
  new Counter({
    name: 'qoswatch_webhook_refused_total',
    help: 'Webhook requests refused before reaching the pipeline, by reason.',
    labelNames: ['reason'],
    ...reg,
    collect() {
      this.reset();
      const s = w()?.receiver.stats.refused;
      for (const reason of REFUSALS) this.inc({ reason }, s?.get(reason) ?? 0);
    },
  });
  new Counter({
    name: 'qoswatch_webhook_events_total',
    help: 'Verified webhook events by name; events qoswatch does not read count as "other".',
    labelNames: ['event'],
    ...reg,
    collect() {
      this.reset();
      for (const [event, n] of w()?.receiver.stats.events ?? []) this.inc({ event }, n);
    },
  });
}

/** Pushed samples by what became of them, and the spool's backlog. */
function registerSampleSeries(reg: Reg, inputs: WebhookInputs): void {
  new Counter({
    name: 'qoswatch_webhook_samples_total',
    help: 'Pushed QoS samples handed on to live rules (new: a new minute, or a stream type new to the newest minute), of an older minute never seen (late: counted, not judged by live rules; the post-call report reads every minute from Zoom), dropped as already seen by poll or an earlier push (duplicate), or as from before their instance ended (after_end).',
    labelNames: ['result'],
    ...reg,
    collect() {
      this.reset();
      const s = inputs.webhooks()?.source.stats;
      this.inc({ result: 'new' }, s?.samples ?? 0);
      this.inc({ result: 'late' }, s?.late ?? 0);
      this.inc({ result: 'duplicate' }, s?.duplicates ?? 0);
      this.inc({ result: 'after_end' }, inputs.scheduler.lifecycle.samplesAfterEnd);
    },
  });
  new Gauge({
    name: 'qoswatch_webhook_spool_backlog_bytes',
    help: 'Bytes of acknowledged webhook events not yet handed on.',
    ...reg,
    collect() {
      this.set(inputs.webhooks()?.spool.backlogBytes ?? 0);
    },
  });
}

/** Calls pushes saved, polling's takeovers, and which path each live instance is on. */
function registerPathSeries(reg: Reg, inputs: WebhookInputs): void {
  new Counter({
    name: 'qoswatch_poll_calls_saved_total',
    help: 'QoS list calls polling did not make because pushes covered the instance.',
    ...reg,
    collect() {
      this.reset();
      this.inc(inputs.scheduler.paths.callsSaved);
    },
  });
  new Counter({
    name: 'qoswatch_poll_takeovers_total',
    help: 'Times polling took an instance back after its pushes stopped for webhooks.takeover_after.',
    ...reg,
    collect() {
      this.reset();
      this.inc(inputs.scheduler.paths.takeovers);
    },
  });
  new Gauge({
    name: 'qoswatch_instance_qos_path',
    help: 'Which path a live instance QoS comes by: 1 on the path named by the label (push or poll).',
    labelNames: ['kind', 'instance_id', 'path'],
    ...reg,
    collect() {
      this.reset();
      for (const [kind, id, path] of instancePaths(inputs)) {
        this.set({ kind, instance_id: id, path }, 1);
        this.set({ kind, instance_id: id, path: path === 'push' ? 'poll' : 'push' }, 0);
      }
    },
  });
}

/** Each instance the scheduler tracks, and each other instance on push: kind, id, path. */
function instancePaths(inputs: WebhookInputs): [string, string, string][] {
  const now = inputs.clock.now();
  const paths = inputs.scheduler.paths;
  const seen = new Set<string>();
  const out: [string, string, string][] = [];
  const put = (kind: string, id: string, key: string): void => {
    out.push([kind, id, paths.path(key, now)]);
    seen.add(key);
  };
  for (const i of inputs.scheduler.instances()) put(i.ref.kind, i.ref.id, `${i.ref.kind}:${i.ref.uuid}`);
  for (const key of paths.instances(now)) {
    if (seen.has(key) || paths.path(key, now) !== 'push') continue;
    const [kind, uuid] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    put(kind, uuid, key);
  }
  return out;
}

/**
 * The push source's series: requests by outcome and refusals by reason, events by name, the
 * spool backlog, receive-to-dispatcher time, calls saved and which path each instance is on.
 * Returns the observers of hand-off and answer times (ms).
 */
export function registerWebhookMetrics(
  registry: Registry,
  inputs: WebhookInputs,
): { observeLatency: (ms: number) => void; observeAnswer: (ms: number) => void } {
  const reg = { registers: [registry] };
  registerRequestCounters(reg, inputs.webhooks);
  registerSampleSeries(reg, inputs);
  registerPathSeries(reg, inputs);
  const handoff = new Histogram({
    name: 'qoswatch_webhook_handoff_seconds',
    help: 'Time from receiving a QoS webhook to its samples being evaluated and the alert changes they raised handed to the dispatcher (after the alert state is saved).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
    ...reg,
  });
  const answer = new Histogram({
    name: 'qoswatch_webhook_answer_seconds',
    help: "Time from a webhook request's headers to its answer (Zoom waits 3 s).",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    ...reg,
  });
  return {
    observeLatency: (ms) => handoff.observe(ms / 1000),
    observeAnswer: (ms) => answer.observe(ms / 1000),
  };
}
