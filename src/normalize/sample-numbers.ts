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
 * Room before each sample's numbers in its chunk for two numbers the de-duplicator writes when it
 * hands the sample on (`setJoinOf`): its join's row and that join's version (normalize/join-versions.ts),
 * -1 and -1 until then. Not part of the numbers (`sampleNumbers`); a sample given none has no room.
 */
export const JOIN_ROOM = 2;

/** Doubles per chunk (32 KiB): about 75 samples of four streams each. */
const CHUNK = 1 << 12;
/**
 * A chunk's NaNs, copied for each new chunk: `slice` makes a packed array of doubles as fast as
 * a copy. An array on the collector's heap, not a Float64Array, whose memory is allocated
 * outside it: with Float64Array chunks evaluate.bench.ts's storm figure peaked at 752-753 MiB
 * resident (two runs), against 711-714 MiB before and 710 MiB with these.
 */
const BLANK: readonly number[] = Array.from({ length: CHUNK }, () => NaN);
/** The chunk samples' numbers are written into now, and how much of it is taken. */
let chunk: number[] = BLANK.slice();
let used = 0;
/** The numbers of a sample given none (a bench's stand-in): no stream, every per-sample row missing. */
const NONE: readonly number[] = Array.from({ length: FIRST_STREAM }, (_, i) => (i === 0 ? 0 : NaN));

/**
 * A sample's numbers, kept on the sample as private fields stamped onto it (util/stamped.ts):
 * `Object.defineProperty` with a symbol went to the runtime for every sample. They are a stretch
 * of a chunk of doubles shared by the samples written one after another (a poll's, in the order
 * the engine reads them), not an array per sample: reading 100,000 samples' numbers from
 * arrays of their own cost the engine more than its rule passes (issue 16's quiet minute,
 * ColumnReader.read at 31% of the CPU), each array a header and a pointer to load before its
 * first value. A sample kept holds its chunk (32 KiB), which goes when none of them is kept: one
 * kept for long (dedup.ts' newest pushed sample of a join, for up to 3 h after it left) moves its
 * numbers to an array of their own first (`ownNumbers`).
 */
class WithNumbers extends Stamped {
  #chunk: readonly number[];
  #at: number;

  private constructor(s: QosSample, chunkOf: readonly number[], at: number) {
    super(s);
    this.#chunk = chunkOf;
    this.#at = at;
  }

  static attach(s: QosSample, numbers: ArrayLike<number>, n: number): void {
    if (n === 0) {
      new WithNumbers(s, NONE, 0);
      return;
    }
    if (used + JOIN_ROOM + n > chunk.length) {
      chunk = JOIN_ROOM + n > CHUNK ? Array.from({ length: JOIN_ROOM + n }, () => NaN) : BLANK.slice();
      used = 0;
    }
    const at = used + JOIN_ROOM;
    chunk[at - JOIN_ROOM] = -1;
    chunk[at - JOIN_ROOM + 1] = -1;
    for (let i = 0; i < n; i++) chunk[at + i] = numbers[i]!;
    used = at + n;
    new WithNumbers(s, chunk, at);
  }

  static detach(s: object): void {
    // Shared chunks are CHUNK long; a sample's own array (NONE, a detached one, a longer one) not.
    if (!(#chunk in s) || s.#chunk.length !== CHUNK) return;
    const at = s.#at;
    s.#chunk = s.#chunk.slice(at - JOIN_ROOM, at + FIRST_STREAM + STREAM_STRIDE * s.#chunk[at]!);
    s.#at = JOIN_ROOM;
  }

  static setJoin(s: object, row: number, version: number): void {
    if (!(#chunk in s) || s.#at < JOIN_ROOM) return;
    const c = s.#chunk as number[];
    c[s.#at - JOIN_ROOM] = row;
    c[s.#at - JOIN_ROOM + 1] = version;
  }

  static chunkOf(s: object): readonly number[] | undefined {
    return #chunk in s ? s.#chunk : undefined;
  }

  static atOf(s: object): number {
    return #at in s ? s.#at : 0;
  }
}

/**
 * The chunk holding the sample's numbers, when the normalizer made it (or `attachNumbers` gave
 * them): undefined on a copy of a sample (`{ ...s }`, a refined minute), which is read from its
 * objects. They start at `numbersAt(s)`: its count of streams, then as the layout above says.
 */
export const numbersChunk = (s: QosSample): readonly number[] | undefined => WithNumbers.chunkOf(s);

/**
 * Moves the sample's numbers out of the chunk it shares to an array of their own, so that a
 * sample kept for long does not hold the chunk's other 32 KiB (the other samples' numbers).
 */
export const ownNumbers = (s: QosSample): void => WithNumbers.detach(s);

/**
 * Writes the join row and version the de-duplicator gave the sample (see `JOIN_ROOM`): at
 * `numbersAt(s) - JOIN_ROOM` and the place after it in `numbersChunk(s)`. Nothing for a sample
 * with no room (none, or the shared numbers of a sample without values).
 */
export const setJoinOf = (s: QosSample, row: number, version: number): void =>
  WithNumbers.setJoin(s, row, version);

/** Where the sample's numbers start in `numbersChunk(s)` (0 when it has none). */
export const numbersAt = (s: QosSample): number => WithNumbers.atOf(s);

/** The sample's numbers as an array of their own (a copy: for tests and benches), or undefined (see `numbersChunk`). */
export function sampleNumbers(s: QosSample): number[] | undefined {
  const c = numbersChunk(s);
  if (!c) return undefined;
  const at = numbersAt(s);
  return c.slice(at, at + FIRST_STREAM + STREAM_STRIDE * c[at]!);
}

/**
 * Gives the sample its numbers, once (a second time throws): copied into the chunk being
 * filled. Not seen by a copy (its streams may differ), JSON, `{ ...s }` or deep equality. A
 * sample's streams and per-sample groups are not changed after this. Given none (an empty
 * list), the sample has the numbers of a sample without values.
 */
export const attachNumbers = (s: QosSample, numbers: ArrayLike<number>): void =>
  WithNumbers.attach(s, numbers, numbers.length);

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

  /** Gives `s` the numbers written (attachNumbers), with no array of their own made for them. */
  attachTo(s: QosSample): void {
    this.a[0] = this.streams;
    WithNumbers.attach(s, this.a, this.len);
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
