import { MEASUREMENTS } from '../../normalize/catalog.js';
import { STREAM_INDEX } from '../../normalize/sample-numbers.js';
import { STREAMS } from '../../normalize/streams.js';
import { SAMPLE_METRICS, STREAM_METRICS, type AggregatedLayout } from './aggregates.js';

/**
 * The stream measurements rules read that metrics do not export (Zoom's quality verdict of
 * pushed samples): kept after the exported values, only when a sample has one.
 */
export const UNEXPORTED_STREAM = MEASUREMENTS.filter((f) => f.group === 'stream' && !f.prom);

/*
 * Where a participant's values sit in LiveParticipant.values. A sample's values, in the order
 * metrics read them (its "places": the SAMPLE_METRICS, then the STREAM_METRICS per stream in
 * the sample's order, then the UNEXPORTED_STREAM per stream), are kept only at the places it
 * can have a value: a third of them has none (an audio stream has no frame rate nor size, a
 * polled stream no quality verdict, most samples no Wi-Fi). A sample's per-sample places are
 * kept by group (CPU, Wi-Fi, CPU pressure), the groups it has a value of. Its stream places are
 * kept once any sample had a value of their kind (that metric of that stream), learnt from the
 * samples. So a stream list has a layout per set of groups (at most 8), shared by every
 * participant with them, made anew only when a kind is seen for the first time (a bounded
 * number of times). A value the sample lacks at a kept place is NaN.
 */

const S = SAMPLE_METRICS.length;
const M = STREAM_METRICS.length;
const E = UNEXPORTED_STREAM.length;

/** The places of a sample with `streams` streams. */
export const placesOf = (streams: number): number => S + streams * (M + E);

/** The place of a stream's exported metric (STREAM_METRICS index). */
export const streamPlace = (stream: number, metric: number): number => S + stream * M + metric;

/** The place of a stream's unexported measurement (UNEXPORTED_STREAM index), `n` streams in all. */
export const unexportedPlace = (n: number, stream: number, e: number): number => S + n * M + stream * E + e;

/**
 * Kinds of stream values, whether any sample had one so far: per stream of STREAMS, its
 * STREAM_METRICS and UNEXPORTED_STREAM. A stream not in STREAMS (a test's) has no kinds: its
 * places are always kept.
 */
const seen = new Uint8Array(STREAMS.length * (M + E));

/** Per SAMPLE_METRICS, a bit for its group (CPU, Wi-Fi, CPU pressure). */
const GROUP_BIT = (() => {
  const groups: string[] = [];
  return Int32Array.from(SAMPLE_METRICS, (d) => {
    if (!groups.includes(d.field.group)) groups.push(d.field.group);
    return 1 << groups.indexOf(d.field.group);
  });
})();

/** The groups `values` (by place) have a per-sample value of, as bits. */
function groupsOf(values: ArrayLike<number>): number {
  let groups = 0;
  for (let i = 0; i < S; i++) if (values[i] === values[i]) groups |= GROUP_BIT[i]!;
  return groups;
}

/** Per place of a sample with `streams`, its kind (stream places; -1: always kept, or a per-sample place). */
function kindsOf(streams: readonly string[]): Int16Array {
  const n = streams.length;
  const kinds = new Int16Array(placesOf(n)).fill(-1);
  for (let j = 0; j < n; j++) {
    const at = STREAM_INDEX[streams[j]!];
    if (at === undefined) continue;
    for (let i = 0; i < M; i++) kinds[streamPlace(j, i)] = at * (M + E) + i;
    for (let e = 0; e < E; e++) kinds[unexportedPlace(n, j, e)] = at * (M + E) + M + e;
  }
  return kinds;
}

export class ValueLayout implements AggregatedLayout {
  /** Per place, where its value is among the values (after the time: aggregates.ts FIRST_VALUE); -1 when not kept. */
  readonly at: Int16Array;
  /** Per value kept, in order: its place. */
  readonly places: Int16Array;
  /** How many of the values are exported ones (they come before the unexported ones). */
  readonly exported: number;
  /**
   * Per exported value kept, what metrics aggregate it by: its stream (the stream's index in
   * `streams`; -1 for a per-sample metric) and its metric (a STREAM_METRICS or SAMPLE_METRICS index).
   */
  readonly streamOf: Int8Array;
  readonly metricOf: Int8Array;

  constructor(
    /** The sample's streams in its order (a list shared by every participant with the same streams). */
    readonly streams: readonly string[],
    /** Per place, its kind (`kindsOf`). */
    kinds: Int16Array,
    /** The groups whose per-sample places are kept (`groupsOf`). */
    readonly groups: number,
  ) {
    const n = streams.length;
    const places: number[] = [];
    this.at = new Int16Array(kinds.length).fill(-1);
    for (let p = 0; p < kinds.length; p++) {
      const kept = p < S ? (GROUP_BIT[p]! & groups) !== 0 : kinds[p]! < 0 || seen[kinds[p]!] === 1;
      if (kept) this.at[p] = places.push(p) - 1;
    }
    this.places = Int16Array.from(places);
    this.exported = places.filter((p) => p < S + n * M).length;
    this.streamOf = new Int8Array(this.exported);
    this.metricOf = new Int8Array(this.exported);
    for (let k = 0; k < this.exported; k++) {
      const p = places[k]!;
      const j = p < S ? -1 : Math.floor((p - S) / M);
      this.streamOf[k] = j;
      this.metricOf[k] = j < 0 ? p : p - S - j * M;
    }
  }

  /**
   * Whether this is the layout for `values` (by place, NaN where missing) of a sample with
   * `streams`: the same per-sample groups, and no value at a stream place not kept.
   */
  fits(streams: readonly string[], values: ArrayLike<number>): boolean {
    if (streams !== this.streams || groupsOf(values) !== this.groups) return false;
    const at = this.at;
    for (let p = S; p < at.length; p++) if (at[p]! < 0 && values[p] === values[p]) return false;
    return true;
  }
}

/** The layouts of each stream list (lists are shared), by groups, and the list's places' kinds. */
const layouts = new Map<readonly string[], { byGroups: (ValueLayout | undefined)[]; kinds: Int16Array }>();

/** The layout for `values` (by place, NaN where missing) of a sample with `streams` (a shared list). */
export function layoutOf(streams: readonly string[], values: ArrayLike<number>): ValueLayout {
  let known = layouts.get(streams);
  if (!known) layouts.set(streams, (known = { byGroups: [], kinds: kindsOf(streams) }));
  const groups = groupsOf(values);
  const layout = known.byGroups[groups];
  if (layout?.fits(streams, values)) return layout;
  // A kind seen for the first time: the list's layouts are made anew, as they are asked for.
  const kinds = known.kinds;
  for (let p = S; p < kinds.length; p++) if (kinds[p]! >= 0 && values[p] === values[p]) seen[kinds[p]!] = 1;
  if (layout) known.byGroups = [];
  return (known.byGroups[groups] = new ValueLayout(streams, kinds, groups));
}

/** The layout of no sample yet (a participant's before its first is written): it fits none. */
export const NO_VALUES = new ValueLayout([], new Int16Array(0), 0);
