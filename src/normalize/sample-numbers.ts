import { numericValue, rowsOf, type FieldDef } from './catalog.js';
import type { QosSample } from './sample.js';
import { STREAMS } from './streams.js';
import { Stamped } from '../util/stamped.js';

/*
 * A sample's measurements as one flat array of numbers, made by the normalizer while it reads
 * them, for the rule engine (evaluate/column-reader.ts) and the live state (export/live-values.ts):
 * they read a value at an index instead of walking the sample's stream objects by name. The
 * objects stay what everything else reads.
 *
 * Layout: [streams, the per-sample rows (SAMPLE_ROWS), then per stream in the sample's stream
 * order: its index in STREAMS, the stream rows (STREAM_ROWS)]. A missing value is NaN (the
 * normalizer's values are finite); a level word is its index, as `numericValue` reads it.
 */

/** The catalog's stream rows: a stream's values in this order. */
export const STREAM_ROWS: readonly FieldDef[] = rowsOf('stream');
/** The per-sample rows (CPU, Wi-Fi, CPU pressure), after the count. */
export const SAMPLE_ROWS: readonly FieldDef[] = [
  ...rowsOf('cpu'),
  ...rowsOf('wifi'),
  ...rowsOf('cpuPressure'),
];
/** Where the first stream's block starts; each block is its stream's index, then its rows. */
export const FIRST_STREAM = 1 + SAMPLE_ROWS.length;
export const STREAM_STRIDE = 1 + STREAM_ROWS.length;

/** A stream's index in STREAMS by its name. */
export const STREAM_INDEX: Readonly<Record<string, number>> = Object.assign(
  Object.create(null) as Record<string, number>,
  Object.fromEntries(STREAMS.map((s, i) => [s.name, i])),
);

/** Where each per-sample group's rows start among SAMPLE_ROWS. */
export const SAMPLE_GROUP_AT = {
  cpu: 0,
  wifi: rowsOf('cpu').length,
  cpuPressure: rowsOf('cpu').length + rowsOf('wifi').length,
} as const;

/**
 * A sample's numbers, kept on the sample as a private field stamped onto it (util/stamped.ts):
 * `Object.defineProperty` with a symbol went to the runtime for every sample.
 */
class WithNumbers extends Stamped {
  readonly #numbers: readonly number[];

  private constructor(s: QosSample, numbers: readonly number[]) {
    super(s);
    this.#numbers = numbers;
  }

  static attach(s: QosSample, numbers: readonly number[]): void {
    new WithNumbers(s, numbers);
  }

  static of(s: object): readonly number[] | undefined {
    return #numbers in s ? s.#numbers : undefined;
  }
}

/**
 * The sample's numbers, when the normalizer made it (or `attachNumbers` gave them): undefined on
 * a copy of a sample (`{ ...s }`, a refined minute), which is read from its objects.
 */
export const sampleNumbers = (s: QosSample): readonly number[] | undefined => WithNumbers.of(s);

/**
 * Gives the sample its numbers, once (a second time throws). Not seen by a copy (its streams may
 * differ), JSON, `{ ...s }` or deep equality. A sample's streams and per-sample groups are not
 * changed after this.
 */
export const attachNumbers = (s: QosSample, numbers: readonly number[]): void =>
  WithNumbers.attach(s, numbers);

/** A number as the view holds it: the value read as `numericValue` does, NaN when none. */
const viewValue = (f: FieldDef, v: unknown): number =>
  typeof v === 'number' ? v : (numericValue(f, v) ?? NaN);

/**
 * Builds a sample's numbers while it is read (normalize.ts): a scratch array reused for every
 * sample, copied out at `end` to the sample's own array of exact length.
 */
export class NumbersWriter {
  private readonly a: number[] = [NaN];
  private streams = 0;
  private len = FIRST_STREAM;

  begin(): void {
    const a = this.a;
    a[0] = 0;
    for (let i = 1; i < FIRST_STREAM; i++) a[i] = NaN;
    this.streams = 0;
    this.len = FIRST_STREAM;
  }

  /** Starts the block of stream `index` (in STREAMS); returns where its rows start. */
  stream(index: number): number {
    const a = this.a;
    const at = this.len;
    a[at] = index;
    for (let i = 1; i < STREAM_STRIDE; i++) a[at + i] = NaN;
    this.streams++;
    this.len = at + STREAM_STRIDE;
    return at + 1;
  }

  /** Drops the stream block just started (the stream had no value). */
  dropStream(): void {
    this.streams--;
    this.len -= STREAM_STRIDE;
  }

  /** The value `v` of catalog row `row`, at place `i` of the numbers. */
  set(i: number, row: FieldDef, v: unknown): void {
    this.a[i] = typeof v === 'number' ? v : viewValue(row, v);
  }

  end(): number[] {
    this.a[0] = this.streams;
    return this.a.slice(0, this.len);
  }
}

const GROUPS = [
  ['cpu', rowsOf('cpu'), SAMPLE_GROUP_AT.cpu],
  ['wifi', rowsOf('wifi'), SAMPLE_GROUP_AT.wifi],
  ['cpuPressure', rowsOf('cpuPressure'), SAMPLE_GROUP_AT.cpuPressure],
] as const;

const writer = new NumbersWriter();

/**
 * The numbers of a sample made without the normalizer (tests, benches): read from its objects,
 * as the normalizer would have written them.
 */
export function numbersOf(s: QosSample): number[] {
  const w = writer;
  w.begin();
  for (const [group, rows, at] of GROUPS) {
    const g = s[group] as Record<string, unknown> | undefined;
    if (g) for (let i = 0; i < rows.length; i++) w.set(1 + at + i, rows[i]!, g[rows[i]!.key]);
  }
  for (const name in s.streams) {
    const index = STREAM_INDEX[name];
    const m = s.streams[name] as Record<string, unknown> | undefined;
    if (index === undefined || !m) continue;
    const at = w.stream(index);
    for (let i = 0; i < STREAM_ROWS.length; i++) w.set(at + i, STREAM_ROWS[i]!, m[STREAM_ROWS[i]!.key]);
  }
  return w.end();
}
