import { MEASUREMENTS, numericValue, SAMPLE_GROUP_KEY, type FieldDef } from '../normalize/catalog.js';
import type { QosSample } from '../normalize/sample.js';
import { STREAM_BY_NAME } from '../normalize/streams.js';
import type { LiveState } from './live-state.js';

export interface ExportedMetric {
  field: FieldDef;
  name: string;
  help: string;
  scale: number;
}

const exported = (perStream: boolean): ExportedMetric[] =>
  MEASUREMENTS.filter((f) => f.prom && (f.group === 'stream') === perStream).map((f) => ({
    field: f,
    name: f.prom!.name,
    help: f.prom!.help,
    scale: f.prom!.scale ?? 1,
  }));

/** The per-stream measurements exported (the catalog's rows with a Prometheus name), base units. */
export const STREAM_METRICS: readonly ExportedMetric[] = exported(true);
/** The per-sample measurements exported (CPU, Wi-Fi, CPU pressure). */
export const SAMPLE_METRICS: readonly ExportedMetric[] = exported(false);

/** A measurement of one stream of a sample, scaled for Prometheus; undefined when missing. */
export function streamValue(def: ExportedMetric, m: Record<string, unknown>): number | undefined {
  const v = numericValue(def.field, m[def.field.key]);
  return v === undefined ? undefined : v * def.scale;
}

/** A per-sample measurement (CPU, Wi-Fi, CPU pressure), scaled for Prometheus; undefined when missing. */
export function sampleValue(def: ExportedMetric, s: QosSample): number | undefined {
  const group = s[SAMPLE_GROUP_KEY[def.field.group as keyof typeof SAMPLE_GROUP_KEY]] as
    Record<string, unknown> | undefined;
  const v = group && numericValue(def.field, group[def.field.key]);
  return v === undefined ? undefined : v * def.scale;
}

export interface Aggregate {
  kind: string;
  instance: string;
  stream: string;
  direction: string;
  metric: string;
  avg: number;
  max: number;
  p95: number;
}

function stats(values: number[]): { avg: number; max: number; p95: number } {
  values.sort((a, b) => a - b);
  const sum = values.reduce((s, v) => s + v, 0);
  // Nearest rank: the smallest value with at least 95% of the values at or below it.
  const p95 = values[Math.max(0, Math.ceil(0.95 * values.length) - 1)]!;
  return { avg: sum / values.length, max: values[values.length - 1]!, p95 };
}

/** Average, maximum and 95th percentile per instance, stream and metric, and per instance for per-sample metrics. */
export function aggregate(live: LiveState): { streams: Aggregate[]; samples: Aggregate[] } {
  const streams: Aggregate[] = [];
  const samples: Aggregate[] = [];
  for (const { ref, participants } of live.instances.values()) {
    const byStream = new Map<string, Map<string, number[]>>();
    const bySample = new Map<string, number[]>();
    for (const s of participants.values()) {
      for (const def of SAMPLE_METRICS) {
        const v = sampleValue(def, s);
        if (v === undefined) continue;
        let list = bySample.get(def.name);
        if (!list) bySample.set(def.name, (list = []));
        list.push(v);
      }
      for (const [stream, m] of Object.entries(s.streams)) {
        let byMetric = byStream.get(stream);
        if (!byMetric) byStream.set(stream, (byMetric = new Map<string, number[]>()));
        for (const def of STREAM_METRICS) {
          const v = streamValue(def, m);
          if (v === undefined) continue;
          let list = byMetric.get(def.name);
          if (!list) byMetric.set(def.name, (list = []));
          list.push(v);
        }
      }
    }
    for (const [stream, byMetric] of byStream) {
      const direction = STREAM_BY_NAME.get(stream)?.direction ?? 'unknown';
      for (const [metric, values] of byMetric)
        streams.push({ kind: ref.kind, instance: ref.id, stream, direction, metric, ...stats(values) });
    }
    for (const [metric, values] of bySample)
      samples.push({ kind: ref.kind, instance: ref.id, stream: '', direction: '', metric, ...stats(values) });
  }
  return { streams, samples };
}
