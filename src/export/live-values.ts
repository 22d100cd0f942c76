import { numericValue } from '../normalize/catalog.js';
import type { QosSample } from '../normalize/sample.js';
import {
  FIRST_STREAM,
  numbersAt,
  numbersChunk,
  SAMPLE_ROWS,
  STREAM_ROWS,
  STREAM_STRIDE,
} from '../normalize/sample-numbers.js';
import { STREAMS } from '../normalize/streams.js';
import { FIRST_VALUE, sampleValue, SAMPLE_METRICS, STREAM_METRICS } from './collectors/aggregates.js';
import {
  layoutOf,
  placesOf,
  streamPlace,
  UNEXPORTED_STREAM,
  unexportedPlace,
  type ValueLayout,
} from './collectors/value-layout.js';

/*
 * A participant's values as the live state keeps them (LiveParticipant.values, laid out as
 * value-layout.ts says): the exported per-sample values, then the exported values of each
 * stream in the sample's order, scaled for Prometheus, then the unexported ones; only the ones
 * the sample has, after its time. Read from the sample's
 * numbers (normalize/sample-numbers.ts) when the normalizer made it, at places found once here;
 * else (a copy of a sample, a merged pushed minute, a test's) from its objects by name.
 */

const S = SAMPLE_METRICS.length;
const M = STREAM_METRICS.length;
const E = UNEXPORTED_STREAM.length;

/** A catalog row's place among `rows`; every exported or unexported row has one. */
function placesIn(rows: readonly unknown[], of: readonly unknown[]): Int32Array {
  return Int32Array.from(of, (f) => {
    const at = rows.indexOf(f);
    if (at < 0) throw new Error('a kept value without a place in the sample numbers');
    return at;
  });
}
/** Per SAMPLE_METRICS, its place in a sample's numbers. */
const SAMPLE_AT = placesIn(
  SAMPLE_ROWS,
  SAMPLE_METRICS.map((d) => d.field),
).map((at) => 1 + at);
/** Per STREAM_METRICS and UNEXPORTED_STREAM, its place in a stream's block (after the stream's index). */
const STREAM_AT = placesIn(
  STREAM_ROWS,
  STREAM_METRICS.map((d) => d.field),
);
const UNEXPORTED_AT = placesIn(STREAM_ROWS, UNEXPORTED_STREAM);

/** A stream measurement's index in STREAM_METRICS by its key in a sample's stream. */
const STREAM_INDEX: Readonly<Record<string, number>> = Object.assign(
  Object.create(null) as Record<string, number>,
  Object.fromEntries(STREAM_METRICS.map((d, i) => [d.field.key, i])),
);
/** The same for UNEXPORTED_STREAM. */
const UNEXPORTED_INDEX: Readonly<Record<string, number>> = Object.assign(
  Object.create(null) as Record<string, number>,
  Object.fromEntries(UNEXPORTED_STREAM.map((f, i) => [f.key, i])),
);

/** NaN doubles, as many as the largest sample needs so far. */
const NAN: number[] = [NaN];
const nans = (n: number): number[] => {
  while (NAN.length < n) NAN.push(NaN);
  // A copy of a NaN-filled array of doubles: exact length, no change of element kind later.
  return NAN.slice(0, n);
};

/** Stream name lists, shared: participants mostly have one of a few sets of streams. */
const streamLists = new Map<string, readonly string[]>();
function streamList(names: string[]): readonly string[] {
  const key = names.join('\u0000');
  let list = streamLists.get(key);
  if (!list) streamLists.set(key, (list = Object.freeze(names)));
  return list;
}

/** The stream names of `s` in its order: `last` (shared) when the same, else the shared list of them. */
export function streamsOf(s: QosSample, last: readonly string[] | undefined): readonly string[] {
  const numbers = numbersChunk(s);
  if (numbers) {
    const first = numbersAt(s);
    const n = numbers[first]!;
    let same = last?.length === n;
    for (let j = 0, at = first + FIRST_STREAM; same && j < n; j++, at += STREAM_STRIDE)
      same = last![j] === STREAMS[numbers[at]! | 0]!.name;
    if (same) return last!;
    const names: string[] = [];
    for (let j = 0, at = first + FIRST_STREAM; j < n; j++, at += STREAM_STRIDE)
      names.push(STREAMS[numbers[at]! | 0]!.name);
    return streamList(names);
  }
  let n = 0;
  let same = last !== undefined;
  for (const stream in s.streams) same &&= last![n++] === stream;
  if (same && n === last!.length) return last!;
  const names: string[] = [];
  for (const stream in s.streams) names.push(stream);
  return streamList(names);
}

/** A sample's values by place (value-layout.ts), NaN where missing: written, laid out, then emptied again. */
let byPlace: number[] = [];

/** What a sample's values are written into (a LiveParticipant). */
export interface LaidOut {
  layout: ValueLayout;
  values: number[];
}

/**
 * Writes the time and the values of `s`, whose streams are `streams` (streamsOf), into `into`:
 * into its values array when it has room for exactly as many (so that a minute's samples make
 * no new arrays), else into a new array; its layout the one of the values `s` has.
 */
export function liveValues(s: QosSample, streams: readonly string[], into: LaidOut): void {
  const n = streams.length;
  const size = placesOf(n);
  if (byPlace.length < size) byPlace = nans(size);
  const numbers = numbersChunk(s);
  if (numbers) fromNumbers(numbers, numbersAt(s), byPlace, n);
  else fromObjects(s, streams, byPlace);
  // Mostly the layout of the participant's last sample.
  const layout = into.layout.fits(streams, byPlace) ? into.layout : layoutOf(streams, byPlace);
  const places = layout.places;
  let values = into.values;
  if (values.length !== FIRST_VALUE + places.length) values = nans(FIRST_VALUE + places.length);
  values[0] = s.time;
  for (let k = 0; k < places.length; k++) values[FIRST_VALUE + k] = byPlace[places[k]!]!;
  byPlace.fill(NaN, 0, size);
  into.layout = layout;
  into.values = values;
}

/** Writes the values by place from a sample's numbers (from `first` in their chunk). */
function fromNumbers(numbers: readonly number[], first: number, values: number[], n: number): void {
  for (let i = 0; i < S; i++) {
    const v = numbers[first + SAMPLE_AT[i]!]!;
    if (v === v) values[i] = v * SAMPLE_METRICS[i]!.scale;
  }
  for (let j = 0, base = first + FIRST_STREAM + 1; j < n; j++, base += STREAM_STRIDE) {
    for (let i = 0; i < M; i++) {
      const v = numbers[base + STREAM_AT[i]!]!;
      if (v === v) values[streamPlace(j, i)] = v * STREAM_METRICS[i]!.scale;
    }
    for (let e = 0; e < E; e++) {
      const v = numbers[base + UNEXPORTED_AT[e]!]!;
      if (v === v) values[unexportedPlace(n, j, e)] = v;
    }
  }
}

/** Writes the values by place from a sample's objects. */
function fromObjects(s: QosSample, streams: readonly string[], values: number[]): void {
  const n = streams.length;
  for (let i = 0; i < S; i++) {
    const v = sampleValue(SAMPLE_METRICS[i]!, s);
    if (v !== undefined) values[i] = v;
  }
  for (let j = 0; j < n; j++) {
    const m = s.streams[streams[j]!] as Record<string, unknown>;
    // The stream's own keys, few, rather than every exported key: about twice as fast.
    for (const key in m) {
      const i = STREAM_INDEX[key];
      if (i === undefined) {
        const e = UNEXPORTED_INDEX[key];
        const v = e === undefined ? undefined : numericValue(UNEXPORTED_STREAM[e]!, m[key]);
        if (v !== undefined) values[unexportedPlace(n, j, e!)] = v;
        continue;
      }
      const def = STREAM_METRICS[i]!;
      const raw = m[key];
      const v = typeof raw === 'number' ? raw : numericValue(def.field, raw);
      if (v !== undefined) values[streamPlace(j, i)] = v * def.scale;
    }
  }
}
