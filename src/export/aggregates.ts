import type { StreamMetrics } from '../normalize/sample.js';
import { STREAM_BY_NAME } from '../normalize/streams.js';
import type { LiveState } from './live-state.js';

/** The per-stream metrics exported, with their Prometheus names (base units). */
export const STREAM_METRICS: readonly {
  key: keyof StreamMetrics;
  name: string;
  help: string;
  scale?: number;
}[] = [
  {
    key: 'latency',
    name: 'qoswatch_stream_latency_seconds',
    help: 'Latency of a stream across the live participants of an instance (Zoom: 5 s average or maximum, processing included).',
  },
  {
    key: 'jitter',
    name: 'qoswatch_stream_jitter_seconds',
    help: 'Jitter of a stream across the live participants of an instance.',
  },
  {
    key: 'avgLoss',
    name: 'qoswatch_stream_packet_loss_ratio',
    help: 'Average packet loss (0 to 1) of a stream across the live participants of an instance.',
  },
  // Prometheus's base unit is the byte (promtool insists): bits per second / 8.
  {
    key: 'bitrate',
    name: 'qoswatch_stream_bitrate_bytes_per_second',
    help: 'Bitrate of a stream across the live participants of an instance, in bytes per second (bits / 8).',
    scale: 1 / 8,
  },
  {
    key: 'frameRate',
    name: 'qoswatch_stream_frame_rate_per_second',
    help: 'Frames per second of a video or share stream across the live participants of an instance.',
  },
];

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

/** Average, maximum and 95th percentile per instance, stream and metric, plus CPU per instance. */
export function aggregate(live: LiveState): { streams: Aggregate[]; cpu: Aggregate[] } {
  const streams: Aggregate[] = [];
  const cpu: Aggregate[] = [];
  for (const { ref, participants } of live.instances.values()) {
    const byStream = new Map<string, Map<string, number[]>>();
    const cpuValues: number[] = [];
    for (const s of participants.values()) {
      if (s.cpu?.zoomAvg !== undefined) cpuValues.push(s.cpu.zoomAvg);
      for (const [stream, m] of Object.entries(s.streams)) {
        let byMetric = byStream.get(stream);
        if (!byMetric) byStream.set(stream, (byMetric = new Map<string, number[]>()));
        for (const def of STREAM_METRICS) {
          const v = m[def.key];
          if (v === undefined) continue;
          let list = byMetric.get(def.name);
          if (!list) byMetric.set(def.name, (list = []));
          list.push(v * (def.scale ?? 1));
        }
      }
    }
    for (const [stream, byMetric] of byStream) {
      const direction = STREAM_BY_NAME.get(stream)?.direction ?? 'unknown';
      for (const [metric, values] of byMetric)
        streams.push({ kind: ref.kind, instance: ref.id, stream, direction, metric, ...stats(values) });
    }
    if (cpuValues.length)
      cpu.push({
        kind: ref.kind,
        instance: ref.id,
        stream: '',
        direction: '',
        metric: 'qoswatch_cpu_usage_ratio',
        ...stats(cpuValues),
      });
  }
  return { streams, cpu };
}
