import { METRICS, type MetricDef, type UnitKind } from '../evaluate/metrics.js';
import type { QosSummary, Stat } from '../normalize/qos-items.js';
import type { QosSample, StreamMetrics } from '../normalize/sample.js';
import type { Figures, StreamFigures, TimelinePoint } from './types.js';

/** The rule metrics a report shows per stream, and per participant (CPU, Wi-Fi), in this order. */
const STREAM_METRICS = ['latency', 'jitter', 'avg_loss', 'max_loss', 'bitrate', 'frame_rate', 'resolution'];
const SAMPLE_METRICS = ['cpu_zoom_avg', 'cpu_zoom_max', 'cpu_system_max', 'wifi_rssi'];
const byName = new Map(METRICS.map((m) => [m.name, m]));
export const REPORT_STREAM_METRICS: readonly MetricDef[] = STREAM_METRICS.map((n) => byName.get(n)!);
export const REPORT_SAMPLE_METRICS: readonly MetricDef[] = SAMPLE_METRICS.map((n) => byName.get(n)!);

/**
 * Decimals a report keeps of a value in base units, per unit (docs/report.md, "Figures"): 0.1 ms
 * for durations in seconds, 0.0001% for ratios, whole bits/s and pixels, 0.001 fps, and 0.01 for
 * dBm, levels and scores. Averages of Zoom's values otherwise carry float noise into
 * JSON and CSV (0.018000000000000002 s).
 */
export const DECIMALS: Readonly<Record<UnitKind, number>> = {
  duration: 4,
  percent: 6,
  bitrate: 0,
  fps: 3,
  pixels: 0,
  dbm: 2,
  level: 2,
  number: 2,
};

/** `v` rounded to `decimals` places (no float noise left in its shortest text). */
export function rounded(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

function roundFigures(f: Figures, unit: UnitKind): Figures {
  const d = DECIMALS[unit];
  for (const k of ['min', 'avg', 'max', 'p95'] as const) if (f[k] !== undefined) f[k] = rounded(f[k], d);
  return f;
}

/** The 95th percentile by nearest rank. */
export function p95(sorted: readonly number[]): number | undefined {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
}

function figuresOf(values: number[]): Figures | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0]!,
    avg: values.reduce((a, b) => a + b, 0) / values.length,
    max: sorted.at(-1)!,
    p95: p95(sorted)!,
    samples: values.length,
  };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Zoom's min/avg/max where the summary has them; the p95 (and anything missing) from the samples. */
function merge(fromSamples: Figures | undefined, zoom: Stat | undefined): Figures | undefined {
  const s: Figures = { ...(fromSamples ?? { samples: 0 }) };
  for (const k of ['min', 'avg', 'max'] as const) {
    const v = num(zoom?.[k]);
    if (v !== undefined) s[k] = v;
  }
  return s.min === undefined && s.avg === undefined && s.max === undefined ? undefined : s;
}

/** Per stream and metric: min / avg / max / p95 of one participant's samples, with Zoom's summary over them. */
export function streamFigures(samples: readonly QosSample[], summary?: QosSummary): StreamFigures[] {
  const names = new Set<string>();
  for (const s of samples) for (const n in s.streams) names.add(n);
  for (const n in summary?.streams ?? {}) names.add(n);
  const out: StreamFigures[] = [];
  for (const stream of [...names].sort()) {
    const metrics: Record<string, Figures> = {};
    for (const m of REPORT_STREAM_METRICS) {
      const values = samples.map((s) => m.read(s, stream)).filter((v): v is number => v !== undefined);
      const f = merge(figuresOf(values), summary?.streams[stream]?.[m.field.key]);
      if (f) metrics[m.name] = roundFigures(f, m.unit);
    }
    if (Object.keys(metrics).length) out.push({ stream, metrics });
  }
  return out;
}

/** CPU and Wi-Fi of one participant (not per stream); the summary's CPU where it has it. */
export function sampleFigures(samples: readonly QosSample[], summary?: QosSummary): Record<string, Figures> {
  const zoom: Record<string, Stat> = {};
  const cpu = summary?.cpu;
  if (cpu) {
    if (num(cpu.zoomAvg) !== undefined) zoom.cpu_zoom_avg = { avg: cpu.zoomAvg! };
    if (num(cpu.zoomMax) !== undefined) zoom.cpu_zoom_max = { max: cpu.zoomMax! };
    if (num(cpu.systemMax) !== undefined) zoom.cpu_system_max = { max: cpu.systemMax! };
  }
  const out: Record<string, Figures> = {};
  for (const m of REPORT_SAMPLE_METRICS) {
    const values = samples.map((s) => m.read(s)).filter((v): v is number => v !== undefined);
    const f = merge(figuresOf(values), zoom[m.name]);
    if (f) out[m.name] = roundFigures(f, m.unit);
  }
  return out;
}

const worst = (vs: (number | undefined)[], high: boolean): number | undefined => {
  const ok = vs.filter((v): v is number => v !== undefined);
  return ok.length ? (high ? Math.max(...ok) : Math.min(...ok)) : undefined;
};

/** Timeline value <- stream field, whether higher is worse, and its unit. */
const TIMELINE: [Exclude<keyof TimelinePoint, 't' | 'over'>, keyof StreamMetrics, boolean, UnitKind][] = [
  ['latency', 'latency', true, 'duration'],
  ['jitter', 'jitter', true, 'duration'],
  ['loss', 'avgLoss', true, 'percent'],
  ['frameRate', 'frameRate', false, 'fps'],
];

/**
 * One point per sample: the worst latency, jitter and loss over the streams, the lowest frame
 * rate, and the rules the sample breaches (`over`: names, as `breaches` counts them).
 */
export function timeline(
  samples: readonly QosSample[],
  over: (s: QosSample) => string[] = () => [],
): TimelinePoint[] {
  return [...samples]
    .sort((a, b) => a.time - b.time)
    .map((s) => {
      const streams = Object.values(s.streams);
      const p: TimelinePoint = { t: s.time };
      for (const [k, field, high, unit] of TIMELINE) {
        const v = worst(
          streams.map((m) => m[field] as number | undefined),
          high,
        );
        if (v !== undefined) p[k] = rounded(v, DECIMALS[unit]);
      }
      const rules = over(s);
      if (rules.length) p.over = rules;
      return p;
    });
}
