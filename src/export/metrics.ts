import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RuleEngine } from '../evaluate/engine.js';
import type { NormalizeStats } from '../normalize/stats.js';
import type { Dispatcher } from '../notify/dispatcher.js';
import type { CycleReport, Scheduler } from '../poll/scheduler.js';
import type { Clock } from '../util/clock.js';
import type { ZoomClient } from '../zoom/client.js';
import { aggregate, SAMPLE_METRICS, sampleValue, STREAM_METRICS, streamValue } from './aggregates.js';
import type { LiveState } from './live-state.js';

/** Label values in the text format: backslash, double quote and line feed escaped. */
const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const num = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);

export interface MetricsOptions {
  /** Add the meeting topic as a label (an info series); off by default. */
  topicLabel: boolean;
  /** Per-participant series, labelled by the stable participant key; off by default. */
  participantSeries: boolean;
  /** Names, e-mails and IPs in a participant info series: a separate, explicit opt-in. */
  participantIdentity: boolean;
}

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
  clock: Clock;
  version: string;
  options: MetricsOptions;
}

/**
 * qoswatch's Prometheus metrics on their own registry. Series of instances that ended and of
 * participants who left disappear at the next scrape because gauges are rebuilt from the live
 * state each time, never left to go stale. Aggregates are cached per state version, so a
 * scrape is cheap however often Prometheus comes.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly cycleDuration: Histogram;
  private cache: { version: number; text: string } | undefined;

  constructor(private readonly inputs: MetricsInputs) {
    const r = this.registry;
    const i = inputs;
    const reg = { registers: [r] };
    collectDefaultMetrics({ register: r });
    // prom-client names these gauges *_total, which promtool rightly flags; keep the output lint-clean.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ])
      r.removeSingleMetric(name);

    new Gauge({
      name: 'qoswatch_build_info',
      help: 'qoswatch build information; always 1.',
      labelNames: ['version', 'nodejs_version'],
      ...reg,
      collect() {
        this.set({ version: i.version, nodejs_version: process.versions.node }, 1);
      },
    });

    // --- Call quality, per live instance ---
    new Gauge({
      name: 'qoswatch_instance_participants',
      help: 'Participants of a live instance with at least one sample.',
      labelNames: ['kind', 'instance_id'],
      ...reg,
      collect() {
        this.reset();
        for (const { ref, participants } of i.live.instances.values())
          this.set({ kind: ref.kind, instance_id: ref.id }, participants.size);
      },
    });
    if (i.options.topicLabel) {
      new Gauge({
        name: 'qoswatch_instance_info',
        help: 'The topic of a live instance (enabled by metrics.topic_label); always 1.',
        labelNames: ['kind', 'instance_id', 'topic'],
        ...reg,
        collect() {
          this.reset();
          for (const { ref } of i.live.instances.values())
            this.set({ kind: ref.kind, instance_id: ref.id, topic: ref.topic }, 1);
        },
      });
    }
    if (i.options.participantSeries) this.participantMetrics();

    // --- Alerts ---
    new Gauge({
      name: 'qoswatch_alerts',
      help: 'Alerts by rule, severity and state (firing or pending), in the spirit of Prometheus ALERTS.',
      labelNames: ['alertname', 'severity', 'state'],
      ...reg,
      collect() {
        this.reset();
        const counts = new Map<string, { alertname: string; severity: string; state: string; n: number }>();
        for (const a of i.engine.brief()) {
          const k = `${a.rule}|${a.severity}|${a.state}`;
          const c = counts.get(k) ?? { alertname: a.rule, severity: a.severity, state: a.state, n: 0 };
          c.n++;
          counts.set(k, c);
        }
        for (const c of counts.values())
          this.set({ alertname: c.alertname, severity: c.severity, state: c.state }, c.n);
      },
    });
    new Gauge({
      name: 'qoswatch_rule_breaching_participants',
      help: 'Participants with a pending or firing participant alert, per rule and live instance.',
      labelNames: ['alertname', 'kind', 'instance_id'],
      ...reg,
      collect() {
        this.reset();
        const counts = new Map<string, { alertname: string; kind: string; instance: string; n: number }>();
        for (const a of i.engine.brief()) {
          if (a.scope !== 'participant') continue;
          const k = `${a.rule}|${a.kind ?? ''}|${a.instanceId ?? ''}`;
          const c = counts.get(k) ?? {
            alertname: a.rule,
            kind: a.kind ?? '',
            instance: a.instanceId ?? '',
            n: 0,
          };
          c.n++;
          counts.set(k, c);
        }
        for (const c of counts.values())
          this.set({ alertname: c.alertname, kind: c.kind, instance_id: c.instance }, c.n);
      },
    });

    // --- The daemon's own health ---
    const clients = (): [string, ZoomClient][] =>
      Object.entries(i.clients).filter((e): e is [string, ZoomClient] => e[1] !== undefined);
    new Counter({
      name: 'qoswatch_zoom_requests_total',
      help: 'Calls to Zoom by account, endpoint, rate-limit category and outcome.',
      labelNames: ['account', 'endpoint', 'category', 'outcome'],
      ...reg,
      collect() {
        this.reset();
        for (const [account, c] of clients())
          for (const e of c.stats.entries())
            this.inc({ account, endpoint: e.endpoint, category: e.category, outcome: e.outcome }, e.count);
      },
    });
    new Gauge({
      name: 'qoswatch_zoom_rate_limit_remaining',
      help: 'The last X-RateLimit-Remaining Zoom sent, by category and limit type.',
      labelNames: ['account', 'category', 'type'],
      ...reg,
      collect() {
        this.reset();
        for (const [account, c] of clients())
          for (const [k, v] of c.stats.remaining) {
            const [category, type] = k.split('|') as [string, string];
            this.set({ account, category, type }, v);
          }
      },
    });
    const budget = (name: string, help: string, read: (c: ZoomClient) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['account'],
        ...reg,
        collect() {
          this.reset();
          for (const [account, c] of clients()) this.set({ account }, read(c));
        },
      });
    };
    budget(
      'qoswatch_zoom_daily_budget_calls',
      "qoswatch's share of the account's daily API pool, in calls.",
      (c) => c.budget.allowance,
    );
    budget('qoswatch_zoom_daily_budget_used_calls', 'Calls made today (UTC day).', (c) =>
      c.budget.usedToday(),
    );
    budget('qoswatch_zoom_daily_budget_remaining_calls', 'Calls qoswatch may still make today.', (c) =>
      c.budget.remaining(),
    );

    this.cycleDuration = new Histogram({
      name: 'qoswatch_poll_cycle_duration_seconds',
      help: 'How long a poll cycle took.',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      ...reg,
    });
    const gauge = (name: string, help: string, read: () => number | undefined): void => {
      new Gauge({
        name,
        help,
        ...reg,
        collect() {
          this.reset();
          const v = read();
          if (v !== undefined) this.set(v);
        },
      });
    };
    const cycle = (): CycleReport | undefined => i.scheduler.lastCycle;
    gauge(
      'qoswatch_poll_last_success_timestamp_seconds',
      'When the last poll cycle finished, Unix seconds.',
      () => (cycle() ? cycle()!.finishedAt / 1000 : undefined),
    );
    gauge(
      'qoswatch_poll_interval_seconds',
      'The time from the last cycle to the next, as planned within the budget.',
      () => (cycle() ? cycle()!.intervalMs / 1000 : undefined),
    );
    gauge(
      'qoswatch_poll_full_cycle_seconds',
      'The budget-optimal time to poll every live instance once.',
      () => (cycle() ? cycle()!.fullCycleMs / 1000 : undefined),
    );
    gauge(
      'qoswatch_poll_coverage_ratio',
      'Share of live participants whose newest sample is younger than poll.fresh_age.',
      () => i.scheduler.coverage.report(i.clock.now()).ratio,
    );
    gauge(
      'qoswatch_poll_staleness_seconds',
      "Age of the stalest live participant's newest sample.",
      () => i.scheduler.coverage.report(i.clock.now()).maxStalenessMs / 1000,
    );
    gauge(
      'qoswatch_live_participants',
      'Participants present in live instances.',
      () => i.scheduler.coverage.report(i.clock.now()).live,
    );
    new Gauge({
      name: 'qoswatch_live_instances',
      help: 'Live instances known from discovery, by kind.',
      labelNames: ['kind'],
      ...reg,
      collect() {
        this.reset();
        const counts: Record<string, number> = { meeting: 0, webinar: 0, session: 0 };
        for (const inst of i.scheduler.instances()) counts[inst.ref.kind] = (counts[inst.ref.kind] ?? 0) + 1;
        for (const [kind, n] of Object.entries(counts)) this.set({ kind }, n);
      },
    });
    const counter = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        ...reg,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    counter(
      'qoswatch_samples_parsed_total',
      'QoS samples read from Zoom.',
      () => i.normalizeStats.samplesParsed,
    );
    counter(
      'qoswatch_samples_invalid_total',
      'QoS entries skipped whole (no usable date_time, not an object).',
      () => i.normalizeStats.samplesInvalid,
    );
    new Counter({
      name: 'qoswatch_values_missing_total',
      help: 'Values Zoom sent empty or in a form qoswatch does not read, by field.',
      labelNames: ['field'],
      ...reg,
      collect() {
        this.reset();
        for (const [field, n] of i.normalizeStats.valuesMissing) this.inc({ field }, n);
      },
    });

    // --- Notifications ---
    new Counter({
      name: 'qoswatch_notifications_sent_total',
      help: 'Notifications delivered, by notifier.',
      labelNames: ['notifier'],
      ...reg,
      collect() {
        this.reset();
        // From 0: a notifier that never delivered still has a series, so that alerts on it fire.
        for (const notifier of i.dispatcher()?.receiverNames ?? []) this.inc({ notifier }, 0);
        for (const [notifier, n] of i.dispatcher()?.stats.sent ?? []) this.inc({ notifier }, n);
      },
    });
    new Counter({
      name: 'qoswatch_notifications_failed_total',
      help: 'Failed delivery attempts by notifier and reason (retried unless the reason is permanent or expired).',
      labelNames: ['notifier', 'reason'],
      ...reg,
      collect() {
        this.reset();
        for (const [k, n] of i.dispatcher()?.stats.failed ?? []) {
          const [notifier, reason] = k.split('|') as [string, string];
          this.inc({ notifier, reason }, n);
        }
      },
    });
    new Counter({
      name: 'qoswatch_notifications_held_total',
      help: 'Notifications a rate cap held back, by notifier.',
      labelNames: ['notifier'],
      ...reg,
      collect() {
        this.reset();
        for (const notifier of i.dispatcher()?.receiverNames ?? []) this.inc({ notifier }, 0);
        for (const [notifier, n] of i.dispatcher()?.stats.held ?? []) this.inc({ notifier }, n);
      },
    });
    new Counter({
      name: 'qoswatch_state_write_failures_total',
      help: 'State file writes that failed (disk full, read-only), by file; each is retried until it succeeds.',
      labelNames: ['file'],
      ...reg,
      collect() {
        this.reset();
        for (const [file, n] of i.stateWriteFailures?.() ?? []) this.inc({ file }, n);
      },
    });
    gauge(
      'qoswatch_notification_outbox_depth',
      'Notifications waiting in the outbox.',
      () => i.dispatcher()?.outboxDepth ?? 0,
    );
    gauge(
      'qoswatch_rules_reload_success',
      'Whether the last rule reload succeeded (1) or was rejected (0).',
      () => (i.rulesReload().ok ? 1 : 0),
    );
    gauge(
      'qoswatch_rules_reload_timestamp_seconds',
      'When the rules were last (re)loaded or a reload was rejected, Unix seconds.',
      () => i.rulesReload().at / 1000,
    );
    gauge('qoswatch_rules_loaded', 'Rules in force.', () => i.engine.ruleList.length);
  }

  /** Opt-in: one series per participant, keyed by the stable participant key; identity only with its own opt-in. */
  private participantMetrics(): void {
    const i = this.inputs;
    const reg = { registers: [this.registry] };
    for (const def of STREAM_METRICS) {
      new Gauge({
        name: def.name.replace('qoswatch_stream_', 'qoswatch_participant_'),
        help: `Per participant (metrics.participant_series): ${def.help}`,
        labelNames: ['kind', 'instance_id', 'participant', 'stream'],
        ...reg,
        collect() {
          this.reset();
          for (const { ref, participants } of i.live.instances.values())
            for (const s of participants.values())
              for (const [stream, m] of Object.entries(s.streams)) {
                const v = streamValue(def, m);
                if (v !== undefined)
                  this.set(
                    { kind: ref.kind, instance_id: ref.id, participant: s.participant.key, stream },
                    v,
                  );
              }
        },
      });
    }
    for (const def of SAMPLE_METRICS) {
      new Gauge({
        name: def.name.replace('qoswatch_', 'qoswatch_participant_'),
        help: `Per participant (metrics.participant_series): ${def.help}`,
        labelNames: ['kind', 'instance_id', 'participant'],
        ...reg,
        collect() {
          this.reset();
          for (const { ref, participants } of i.live.instances.values())
            for (const s of participants.values()) {
              const v = sampleValue(def, s);
              if (v !== undefined)
                this.set({ kind: ref.kind, instance_id: ref.id, participant: s.participant.key }, v);
            }
        },
      });
    }
    if (!i.options.participantIdentity) return;
    new Gauge({
      name: 'qoswatch_participant_info',
      help: 'Who a participant key is (metrics.participant_identity_labels): name, e-mail, IP; always 1.',
      labelNames: ['kind', 'instance_id', 'participant', 'name', 'email', 'ip'],
      ...reg,
      collect() {
        this.reset();
        for (const { ref, participants } of i.live.instances.values())
          for (const s of participants.values())
            this.set(
              {
                kind: ref.kind,
                instance_id: ref.id,
                participant: s.participant.key,
                name: s.participant.name,
                email: s.participant.email,
                ip: s.participant.ip,
              },
              1,
            );
      },
    });
  }

  observeCycle(r: CycleReport): void {
    this.cycleDuration.observe((r.finishedAt - r.startedAt) / 1000);
  }

  /**
   * The per-instance stream and CPU aggregates are the bulk of a scrape (thousands of series at
   * thousands of participants). They are rendered here, once per change of the live state, in
   * the text exposition format; everything else comes from prom-client.
   */
  private aggregatesText(): string {
    const live = this.inputs.live;
    if (this.cache?.version === live.version) return this.cache.text;
    const { streams, samples } = aggregate(live);
    const parts: string[] = [];
    const lines = (l: string, name: string, a: { avg: number; max: number; p95: number }): string =>
      `${name}{${l},aggregation="avg"} ${num(a.avg)}\n${name}{${l},aggregation="max"} ${num(a.max)}\n${name}{${l},aggregation="p95"} ${num(a.p95)}\n`;
    const header = (name: string, help: string): string =>
      `# HELP ${name} ${help} Across the live participants of an instance; aggregation: avg, max or p95.\n# TYPE ${name} gauge\n`;
    for (const def of STREAM_METRICS) {
      parts.push(header(def.name, def.help));
      for (const a of streams) {
        if (a.metric !== def.name) continue;
        const l = `kind="${esc(a.kind)}",instance_id="${esc(a.instance)}",stream="${esc(a.stream)}",direction="${a.direction}"`;
        parts.push(lines(l, def.name, a));
      }
    }
    for (const def of SAMPLE_METRICS) {
      parts.push(header(def.name, def.help));
      for (const a of samples) {
        if (a.metric !== def.name) continue;
        parts.push(lines(`kind="${esc(a.kind)}",instance_id="${esc(a.instance)}"`, def.name, a));
      }
    }
    this.cache = { version: live.version, text: parts.join('') };
    return this.cache.text;
  }

  async text(): Promise<string> {
    const rest = await this.registry.metrics();
    return `${rest}${rest.endsWith('\n') ? '' : '\n'}${this.aggregatesText()}`;
  }
}
