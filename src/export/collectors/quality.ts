import { Gauge, type Registry } from 'prom-client';
import type { InstanceRef, QosSample } from '../../normalize/sample.js';
import { aggregate, SAMPLE_METRICS, sampleValue, STREAM_METRICS, streamValue } from '../aggregates.js';
import type { LiveState } from '../live-state.js';

export interface QualityOptions {
  /** Add the meeting topic as a label (an info series); off by default. */
  topicLabel: boolean;
  /** Per-participant series, labelled by the stable participant key; off by default. */
  participantSeries: boolean;
  /** Names, e-mails and IPs in a participant info series: a separate, explicit opt-in. */
  participantIdentity: boolean;
}

/** What the call quality series read: the live instances and their participants' newest samples. */
export interface QualityView {
  readonly version: number;
  readonly instances: ReadonlyMap<string, { ref: InstanceRef; participants: ReadonlyMap<string, QosSample> }>;
}

function* participants(view: QualityView): Generator<{ ref: InstanceRef; s: QosSample }> {
  for (const { ref, participants } of view.instances.values())
    for (const s of participants.values()) yield { ref, s };
}

/** Call quality per live instance: participants, the topic (opt-in) and per-participant series (opt-in). */
export function registerQualityMetrics(registry: Registry, view: QualityView, options: QualityOptions): void {
  const registers = [registry];
  new Gauge({
    name: 'qoswatch_instance_participants',
    help: 'Participants of a live instance with at least one sample.',
    labelNames: ['kind', 'instance_id'],
    registers,
    collect() {
      this.reset();
      for (const { ref, participants } of view.instances.values())
        this.set({ kind: ref.kind, instance_id: ref.id }, participants.size);
    },
  });
  if (options.topicLabel) {
    new Gauge({
      name: 'qoswatch_instance_info',
      help: 'The topic of a live instance (enabled by metrics.topic_label); always 1.',
      labelNames: ['kind', 'instance_id', 'topic'],
      registers,
      collect() {
        this.reset();
        for (const { ref } of view.instances.values())
          this.set({ kind: ref.kind, instance_id: ref.id, topic: ref.topic }, 1);
      },
    });
  }
  if (options.participantSeries) registerParticipantMetrics(registry, view, options.participantIdentity);
}

/** Opt-in: one series per participant, keyed by the stable participant key; identity only with its own opt-in. */
function registerParticipantMetrics(registry: Registry, view: QualityView, identity: boolean): void {
  const registers = [registry];
  for (const def of STREAM_METRICS) {
    new Gauge({
      name: def.name.replace('qoswatch_stream_', 'qoswatch_participant_'),
      help: `Per participant (metrics.participant_series): ${def.help}`,
      labelNames: ['kind', 'instance_id', 'participant', 'stream'],
      registers,
      collect() {
        this.reset();
        for (const { ref, s } of participants(view))
          for (const [stream, m] of Object.entries(s.streams)) {
            const v = streamValue(def, m);
            if (v !== undefined)
              this.set({ kind: ref.kind, instance_id: ref.id, participant: s.participant.key, stream }, v);
          }
      },
    });
  }
  for (const def of SAMPLE_METRICS) {
    new Gauge({
      name: def.name.replace('qoswatch_', 'qoswatch_participant_'),
      help: `Per participant (metrics.participant_series): ${def.help}`,
      labelNames: ['kind', 'instance_id', 'participant'],
      registers,
      collect() {
        this.reset();
        for (const { ref, s } of participants(view)) {
          const v = sampleValue(def, s);
          if (v !== undefined)
            this.set({ kind: ref.kind, instance_id: ref.id, participant: s.participant.key }, v);
        }
      },
    });
  }
  if (!identity) return;
  new Gauge({
    name: 'qoswatch_participant_info',
    help: 'Who a participant key is (metrics.participant_identity_labels): name, e-mail, IP; always 1.',
    labelNames: ['kind', 'instance_id', 'participant', 'name', 'email', 'ip'],
    registers,
    collect() {
      this.reset();
      for (const { ref, s } of participants(view)) {
        const p = s.participant;
        this.set(
          { kind: ref.kind, instance_id: ref.id, participant: p.key, name: p.name, email: p.email, ip: p.ip },
          1,
        );
      }
    },
  });
}

/** Label values in the text format: backslash, double quote and line feed escaped. */
const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const num = (v: number): string =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);

/**
 * The per-instance stream and CPU aggregates, the bulk of a scrape (thousands of series at
 * thousands of participants), rendered straight in the text exposition format and cached per
 * version of the live state, so a scrape is cheap however often Prometheus comes.
 */
export function aggregatesRenderer(live: LiveState): () => string {
  let cache: { version: number; text: string } | undefined;
  return () => {
    if (cache?.version === live.version) return cache.text;
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
    cache = { version: live.version, text: parts.join('') };
    return cache.text;
  };
}
