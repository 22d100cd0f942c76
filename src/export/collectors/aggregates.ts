import { MEASUREMENTS, numericValue, SAMPLE_GROUP_KEY } from '../../normalize/catalog.js';
import type { FieldDef } from '../../normalize/catalog.js';
import type { QosSample } from '../../normalize/sample.js';

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

/** A per-sample measurement (CPU, Wi-Fi, CPU pressure), scaled for Prometheus; undefined when missing. */
export function sampleValue(def: ExportedMetric, s: QosSample): number | undefined {
  const group = s[SAMPLE_GROUP_KEY[def.field.group as keyof typeof SAMPLE_GROUP_KEY]] as
    Record<string, unknown> | undefined;
  const v = group && numericValue(def.field, group[def.field.key]);
  return v === undefined ? undefined : v * def.scale;
}

export interface Stats {
  avg: number;
  max: number;
  p95: number;
}

/** The largest values seen so far, in descending order: the top-k buffer of stats(). */
const top = new Float64Array(64);

/**
 * Average, maximum and 95th percentile (nearest rank) of a non-empty column. The p95 is the
 * k-th largest value, k = n - ceil(0.95 n) + 1 (1 up to 20 values, 3 of 50): one pass keeps the
 * k largest in a small sorted buffer instead of sorting the column (a scrape after new samples
 * did a sort per instance, stream and metric). Columns whose k would not fit are sorted in place.
 */
export function stats(values: Float64Array): Stats {
  const n = values.length;
  // Nearest rank: the smallest value with at least 95% of the values at or below it.
  const rank = Math.max(0, Math.ceil(0.95 * n) - 1);
  const k = n - rank;
  let sum = 0;
  if (k > top.length) {
    values.sort();
    for (let i = 0; i < n; i++) sum += values[i]!;
    return { avg: sum / n, max: values[n - 1]!, p95: values[rank]! };
  }
  let filled = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    if (filled === k && v <= top[k - 1]!) continue;
    // Insert v, dropping the smallest when the buffer is full.
    let j = filled < k ? filled++ : k - 1;
    for (; j > 0 && top[j - 1]! < v; j--) top[j] = top[j - 1]!;
    top[j] = v;
  }
  return { avg: sum / n, max: top[0]!, p95: top[k - 1]! };
}

/**
 * Values of a set of metrics across the participants of one instance, per stream: `rows`
 * values a (stream, metric) column, filled from its start. One buffer reused from instance to
 * instance (a scrape re-aggregates many), grown when an instance needs more.
 */
export class Columns {
  private values = new Float64Array(0);
  private count = new Int32Array(0);
  private rows = 0;
  /** A stream's slot by name; SAMPLE (the per-sample metrics) is slot 0. */
  readonly streams = new Map<string, number>();

  constructor(private readonly metrics: number) {}

  /** Empties the columns for an instance of `rows` participants. */
  reset(rows: number): void {
    this.rows = rows;
    this.streams.clear();
    this.reserve(1);
    this.count.fill(0);
  }

  /** A stream's slot, a new one the first time the stream is seen since the reset. */
  slot(stream: string): number {
    let slot = this.streams.get(stream);
    if (slot === undefined) {
      this.streams.set(stream, (slot = this.streams.size + 1));
      this.reserve(slot + 1);
    }
    return slot;
  }

  /** Room for `slots` slots of the current rows, what is filled kept (slots only ever append). */
  private reserve(slots: number): void {
    const size = slots * this.metrics * this.rows;
    if (this.values.length < size) {
      const values = new Float64Array(Math.max(size, 2 * this.values.length));
      values.set(this.values.subarray(0, Math.min(this.values.length, size)));
      this.values = values;
    }
    if (this.count.length < slots * this.metrics) {
      const count = new Int32Array(Math.max(slots * this.metrics, 2 * this.count.length));
      count.set(this.count);
      this.count = count;
    }
  }

  push(slot: number, metric: number, v: number): void {
    const c = slot * this.metrics + metric;
    this.values[c * this.rows + this.count[c]!++] = v;
  }

  /** The values of one column (a view: sorting it sorts them here). */
  column(slot: number, metric: number): Float64Array {
    const c = slot * this.metrics + metric;
    return this.values.subarray(c * this.rows, c * this.rows + this.count[c]!);
  }
}

/** What aggregates read of a participant's layout (value-layout.ts ValueLayout). */
export interface AggregatedLayout {
  /** The sample's streams in its order. */
  readonly streams: readonly string[];
  /** How many values are exported ones (the first). */
  readonly exported: number;
  /** Per exported value: its stream (index in `streams`; -1 for a per-sample metric), and its metric. */
  readonly streamOf: Int8Array;
  readonly metricOf: Int8Array;
}

/** A participant's exported values (LiveParticipant): the values it has, laid out by `layout` (value-layout.ts). */
export interface ParticipantValues {
  /** Which values it has, and its streams. */
  readonly layout: AggregatedLayout;
  /** The sample's time, then its values in `layout`'s order (NaN: missing). */
  readonly values: readonly number[];
}

/** Where the first value sits in a ParticipantValues' values: the sample's time comes before them. */
export const FIRST_VALUE = 1;

const METRICS = Math.max(STREAM_METRICS.length, SAMPLE_METRICS.length);
const columns = new Columns(METRICS);
export const SAMPLE_SLOT = 0;
/** Per stream of the participant at hand, its slot in the columns. */
const streamSlots: number[] = [];

/**
 * The values the aggregates of one instance are computed from, in the shared columns: per
 * stream (`streams` gives each its slot) the STREAM_METRICS, same index; in slot SAMPLE_SLOT
 * the SAMPLE_METRICS. Valid until the next call.
 */
export function instanceValues(participants: ReadonlyMap<string, ParticipantValues>): Columns {
  columns.reset(participants.size);
  for (const p of participants.values()) {
    const { layout, values } = p;
    // Every stream takes its slot, in order, even one without a value: the slots' order is the series'.
    const streams = layout.streams;
    for (let j = 0; j < streams.length; j++) streamSlots[j] = columns.slot(streams[j]!);
    const { streamOf, metricOf } = layout;
    for (let k = 0; k < layout.exported; k++) {
      const v = values[FIRST_VALUE + k]!;
      if (v !== v) continue; // NaN: missing
      const j = streamOf[k]!;
      columns.push(j < 0 ? SAMPLE_SLOT : streamSlots[j]!, metricOf[k]!, v);
    }
  }
  return columns;
}
