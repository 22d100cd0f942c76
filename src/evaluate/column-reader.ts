import type { QosSample } from '../normalize/sample.js';
import {
  FIRST_STREAM,
  SAMPLE_ROWS,
  numbersOf,
  sampleNumbers,
  STREAM_INDEX,
  STREAM_ROWS,
  STREAM_STRIDE,
} from '../normalize/sample-numbers.js';
import { ruleValue } from './rule-value.js';
import type { CompiledRule } from './rule-types.js';

/** A column as read: any of its rules reads its value (columns.ts). */
interface ReadColumn {
  readonly reader: CompiledRule;
}

/** A per-stream column's use of one stream: which column, and which field of the stream. */
interface StreamUse {
  column: number;
  /** The stream's index in `streamNames`, plus 1. */
  stream: number;
  /** The field's place in a stream's block of a sample's numbers (sample-numbers.ts). */
  row: number;
}

/**
 * Reads every column's value of a sample in one pass over its streams, from the sample's
 * numbers (normalize/sample-numbers.ts): each stream is looked at once for all the columns that
 * read it, in the sample's stream order (as `ruleValue` does, so an average sums in the same
 * order and is the same number). Per-sample metrics (CPU, Wi-Fi, CPU pressure) are read at their
 * place in the numbers.
 */
export class ColumnReader {
  /** By a stream's index in STREAMS (how a sample's numbers name it): the columns that read it. */
  private readonly byIndex: (StreamUse[] | undefined)[] = [];
  /** Per column not read from streams: its field's place in a sample's numbers (-1: read through `ruleValue`). */
  private readonly sampleAt: Int32Array;
  private readonly streamColumns: number[] = [];
  private readonly otherColumns: number[] = [];
  private readonly above: boolean[];
  private readonly avg: boolean[];
  /** Per column, while a sample is read: the worst value, the sum and how many. */
  private readonly best: Float64Array;
  private readonly sum: Float64Array;
  private readonly count: Int32Array;
  /** Per column, while a sample is read: the worst value's stream (index in `streamNames` + 1). */
  private readonly worstOf: Uint8Array;
  /** The streams the columns read; a sample's worst stream per column is an index into them (+1, 0: none). */
  readonly streamNames: string[] = [];

  constructor(readonly columns: readonly ReadColumn[]) {
    this.above = columns.map((c) => c.reader.above);
    this.avg = columns.map((c) => c.reader.aggregate === 'avg');
    this.best = new Float64Array(columns.length);
    this.sum = new Float64Array(columns.length);
    this.count = new Int32Array(columns.length);
    this.worstOf = new Uint8Array(columns.length);
    this.sampleAt = new Int32Array(columns.length).fill(-1);
    columns.forEach((c, column) => {
      const { metric, streams } = c.reader;
      if (!metric.perStream) {
        const at = SAMPLE_ROWS.indexOf(metric.field);
        if (at >= 0) this.sampleAt[column] = 1 + at;
        return void this.otherColumns.push(column);
      }
      this.streamColumns.push(column);
      for (const stream of streams) {
        const at = STREAM_INDEX[stream];
        if (at === undefined) continue; // no sample has it
        const uses = (this.byIndex[at] ??= []);
        if (!this.streamNames.includes(stream)) this.streamNames.push(stream);
        const index = this.streamNames.indexOf(stream) + 1;
        uses.push({ column, stream: index, row: STREAM_ROWS.indexOf(metric.field) });
      }
    });
  }

  /**
   * Writes sample `i`'s value of each column into `out[column][i]` (NaN when missing), and the
   * stream with the worst value into `worst[column][i]` (the first of equal ones: what an alert's
   * context names as its stream). From the sample's numbers when it has them, else its objects.
   */
  read(s: QosSample, i: number, out: readonly Float64Array[], worst: readonly Uint8Array[]): void {
    // A sample the normalizer did not make (a test's, a refined minute) is read into numbers first.
    const numbers = sampleNumbers(s) ?? numbersOf(s);
    const { best, sum, count, above, worstOf, byIndex, streamColumns, otherColumns } = this;
    count.fill(0);
    const n = numbers[0]!;
    for (let j = 0, at = FIRST_STREAM; j < n; j++, at += STREAM_STRIDE) {
      const uses = byIndex[numbers[at]! | 0]; // an integer key: a double one is boxed for the lookup
      if (!uses) continue;
      for (let u = 0; u < uses.length; u++) {
        const use = uses[u]!;
        const v = numbers[at + 1 + use.row]!;
        if (v !== v) continue; // NaN: missing
        const c = use.column;
        if (count[c] === 0) {
          best[c] = v;
          sum[c] = v;
          worstOf[c] = use.stream;
        } else {
          sum[c] = sum[c]! + v;
          if (above[c] ? v > best[c]! : v < best[c]!) {
            best[c] = v;
            worstOf[c] = use.stream;
          }
        }
        count[c] = count[c]! + 1;
      }
    }
    // Indexed loops, not for-of: no iterator results made per sample when not optimized away.
    for (let k = 0; k < streamColumns.length; k++) {
      const c = streamColumns[k]!;
      out[c]![i] = count[c] === 0 ? NaN : this.avg[c] ? sum[c]! / count[c]! : best[c]!;
      worst[c]![i] = count[c] === 0 ? 0 : worstOf[c]!;
    }
    for (let k = 0; k < otherColumns.length; k++) {
      const c = otherColumns[k]!;
      const at = this.sampleAt[c]!;
      // Apart, not one conditional expression: the value stays an unboxed double.
      if (at >= 0) out[c]![i] = numbers[at]!;
      else out[c]![i] = ruleValue(this.columns[c]!.reader, s) ?? NaN;
      worst[c]![i] = 0;
    }
  }
}
