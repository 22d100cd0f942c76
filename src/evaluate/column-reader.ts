import type { QosSample } from '../normalize/sample.js';
import {
  FIRST_STREAM,
  SAMPLE_ROWS,
  numbersOf,
  STREAM_INDEX,
  STREAM_ROWS,
  STREAM_STRIDE,
} from '../normalize/sample-numbers.js';
import { STREAMS } from '../normalize/streams.js';
import { ruleValue } from './rule-value.js';
import type { CompiledRule } from './rule-types.js';

/** A column as read: any of its rules reads its value; `first`: a value past it breaches a participant rule (columns.ts). */
interface ReadColumn {
  readonly reader: CompiledRule;
  readonly first: number;
}

/**
 * Reads every column's value of a sample in one pass over its streams, from the sample's
 * numbers (normalize/sample-numbers.ts): each stream is looked at once for all the columns that
 * read it, in the sample's stream order (as `ruleValue` does, so an average sums in the same
 * order and is the same number). Per-sample metrics (CPU, Wi-Fi, CPU pressure) are read at their
 * place in the numbers.
 */
export class ColumnReader {
  /**
   * The columns that read each stream, flat: the uses of the stream of index `k` in STREAMS
   * (how a sample's numbers name it) are `useStart[k]` up to `useStart[k + 1]`; a use is a
   * column, the field's place in a stream's block of a sample's numbers (sample-numbers.ts) and
   * the stream's index in `streamNames` plus 1. Typed arrays, not an object per use: a sample
   * costs loads from a few arrays, not a walk over objects.
   */
  private readonly useStart: Int32Array;
  private readonly useColumn: Int32Array;
  private readonly useRow: Int32Array;
  private readonly useStream: Uint8Array;
  /** Per column not read from streams: its field's place in a sample's numbers (-1: read through `ruleValue`). */
  private readonly sampleAt: Int32Array;
  private readonly streamColumns: Int32Array;
  private readonly otherColumns: Int32Array;
  private readonly above: Uint8Array;
  private readonly avg: Uint8Array;
  /** Per column: its first participant rule's threshold (±Infinity without one: Column.first). */
  private readonly first: Float64Array;
  /** Per column, while a sample is read: the worst value, the sum and how many. */
  private readonly best: Float64Array;
  private readonly sum: Float64Array;
  private readonly count: Int32Array;
  /** Per column: the number of the sample its worst value, sum and count are of (`read`); older ones count as none. */
  private readonly readAt: Int32Array;
  private reads = 0;
  /** Per column, while a sample is read: the worst value's stream (index in `streamNames` + 1). */
  private readonly worstOf: Uint8Array;
  /** The streams the columns read; a sample's worst stream per column is an index into them (+1, 0: none). */
  readonly streamNames: string[] = [];

  constructor(readonly columns: readonly ReadColumn[]) {
    const n = columns.length;
    this.above = Uint8Array.from(columns, (c) => (c.reader.above ? 1 : 0));
    this.avg = Uint8Array.from(columns, (c) => (c.reader.aggregate === 'avg' ? 1 : 0));
    this.first = Float64Array.from(columns, (c) => c.first);
    this.best = new Float64Array(n);
    this.sum = new Float64Array(n);
    this.count = new Int32Array(n);
    this.readAt = new Int32Array(n);
    this.worstOf = new Uint8Array(n);
    this.sampleAt = new Int32Array(n).fill(-1);
    const streamColumns: number[] = [];
    const otherColumns: number[] = [];
    /** Per stream index: its uses as [column, row, stream]. */
    const uses: [number, number, number][][] = STREAMS.map(() => []);
    columns.forEach((c, column) => {
      const { metric, streams } = c.reader;
      if (!metric.perStream) {
        const at = SAMPLE_ROWS.indexOf(metric.field);
        if (at >= 0) this.sampleAt[column] = 1 + at;
        return void otherColumns.push(column);
      }
      streamColumns.push(column);
      for (const stream of streams) {
        const at = STREAM_INDEX[stream];
        if (at === undefined) continue; // no sample has it
        if (!this.streamNames.includes(stream)) this.streamNames.push(stream);
        uses[at]!.push([column, STREAM_ROWS.indexOf(metric.field), this.streamNames.indexOf(stream) + 1]);
      }
    });
    this.streamColumns = Int32Array.from(streamColumns);
    this.otherColumns = Int32Array.from(otherColumns);
    const flat = uses.flat();
    this.useStart = new Int32Array(uses.length + 1);
    for (let k = 0; k < uses.length; k++) this.useStart[k + 1] = this.useStart[k]! + uses[k]!.length;
    this.useColumn = Int32Array.from(flat, (u) => u[0]);
    this.useRow = Int32Array.from(flat, (u) => u[1]);
    this.useStream = Uint8Array.from(flat, (u) => u[2]);
  }

  /**
   * Writes sample `i`'s value of each column into `out[column][i]` (NaN when missing), and the
   * stream with the worst value into `worst[column][i]` (the first of equal ones: what an alert's
   * context names as its stream). From the sample's numbers when it has them (`chunk` from `at`:
   * numbersChunk and numbersAt, a stretch of a chunk shared with the samples written next to it:
   * sample-numbers.ts), else its objects.
   * Returns 1 when a value is past its column's first participant threshold (it breaches a
   * participant rule), else 0: found while the value is at hand, not by a pass over the columns.
   */
  read(
    s: QosSample,
    chunk: readonly number[] | undefined,
    at: number,
    i: number,
    out: readonly Float64Array[],
    worst: readonly Uint8Array[],
  ): number {
    // A sample the normalizer did not make (a test's, a refined minute) is read into numbers first.
    let numbers = chunk;
    let first = at;
    if (!numbers) {
      numbers = numbersOf(s);
      first = 0;
    }
    const { best, sum, count, readAt, above, worstOf, useStart, useColumn, useRow, useStream } = this;
    // A column's count is of this sample only when its readAt is this read's number: no clearing per sample.
    if (this.reads === 0x7fffffff) {
      readAt.fill(0); // once in 2^31 samples: no stale number can come round again
      this.reads = 0;
    }
    const now = ++this.reads;
    const n = numbers[first]!;
    const kinds = useStart.length - 1;
    for (let j = 0, at = first + FIRST_STREAM; j < n; j++, at += STREAM_STRIDE) {
      const k = numbers[at]! | 0; // an integer key: a double one is boxed for the lookup
      if (k < 0 || k >= kinds) continue;
      const base = at + 1;
      for (let u = useStart[k]!, end = useStart[k + 1]!; u < end; u++) {
        const v = numbers[base + useRow[u]!]!;
        if (v !== v) continue; // NaN: missing
        const c = useColumn[u]!;
        if (readAt[c] !== now) {
          readAt[c] = now;
          count[c] = 1;
          best[c] = v;
          sum[c] = v;
          worstOf[c] = useStream[u]!;
        } else {
          sum[c] = sum[c]! + v;
          count[c] = count[c]! + 1;
          if (above[c] ? v > best[c]! : v < best[c]!) {
            best[c] = v;
            worstOf[c] = useStream[u]!;
          }
        }
      }
    }
    return this.write(s, i, now, numbers, first, out, worst);
  }

  /**
   * Writes sample `i`'s value and worst stream of each column (`read`), the streams' read at
   * read number `now`; returns 1 when a value is past its column's first participant threshold.
   */
  private write(
    s: QosSample,
    i: number,
    now: number,
    numbers: readonly number[],
    first: number,
    out: readonly Float64Array[],
    worst: readonly Uint8Array[],
  ): number {
    // Indexed loops, not for-of: no iterator results made per sample when not optimized away.
    const { streamColumns, otherColumns, readAt, sum, count, best, worstOf } = this;
    let past = 0;
    for (let k = 0; k < streamColumns.length; k++) {
      const c = streamColumns[k]!;
      if (readAt[c] !== now) {
        out[c]![i] = NaN;
        worst[c]![i] = 0;
      } else {
        const v = this.avg[c] ? sum[c]! / count[c]! : best[c]!;
        out[c]![i] = v;
        worst[c]![i] = worstOf[c]!;
        past |= this.past(c, v);
      }
    }
    for (let k = 0; k < otherColumns.length; k++) {
      const c = otherColumns[k]!;
      const at = this.sampleAt[c]!;
      // Apart, not one conditional expression: the value stays an unboxed double.
      let v: number;
      if (at >= 0) v = numbers[first + at]!;
      else v = ruleValue(this.columns[c]!.reader, s) ?? NaN;
      out[c]![i] = v;
      worst[c]![i] = 0;
      past |= this.past(c, v);
    }
    return past;
  }

  /** 1 when `v` is past column `c`'s first participant threshold (NaN, missing, is past none). */
  private past(c: number, v: number): number {
    return (this.above[c] ? v > this.first[c]! : v < this.first[c]!) ? 1 : 0;
  }
}
