import type { QosSample } from '../normalize/sample.js';
import { SAMPLE_ROWS, numbersOf, STREAM_INDEX, STREAM_ROWS } from '../normalize/sample-numbers.js';
import { STREAMS } from '../normalize/streams.js';
import { compileReader, type CompiledRead } from './compiled-reader.js';
import { ruleValue } from './rule-value.js';
import type { CompiledRule } from './rule-types.js';

/** A column as read: any of its rules reads its value; `first`: a value past it breaches a participant rule (columns.ts). */
interface ReadColumn {
  readonly reader: CompiledRule;
  readonly first: number;
}

/**
 * Where a step's column values go (columns.ts): column c's value of sample i at `c * cap + i` of
 * `values` (NaN when missing), its worst stream at the same place of `worst`.
 */
export interface ColumnOutput {
  readonly values: Float64Array;
  readonly worst: Uint8Array;
  readonly cap: number;
}

/**
 * Reads every column's value of a sample in one pass over its streams, from the sample's
 * numbers (normalize/sample-numbers.ts): each stream is looked at once for all the columns that
 * read it, in the sample's stream order (as `ruleValue` does, so an average sums in the same
 * order and is the same number). Per-sample metrics (CPU, Wi-Fi, CPU pressure) are read at their
 * place in the numbers. The pass is a function made for the columns (compiled-reader.ts).
 */
export class ColumnReader {
  private readonly compiled: CompiledRead;
  /** Per column: its first participant rule's threshold (±Infinity without one: Column.first). */
  private readonly first: Float64Array;
  /** The streams the columns read; a sample's worst stream per column is an index into them (+1, 0: none). */
  readonly streamNames: string[] = [];
  /** A column read from the sample's objects: its value (NaN when missing). */
  private readonly other = (c: number, s: QosSample): number => ruleValue(this.columns[c]!.reader, s) ?? NaN;

  constructor(readonly columns: readonly ReadColumn[]) {
    this.first = Float64Array.from(columns, (c) => c.first);
    /** Per stream index: its uses as [column, row, stream]. */
    const uses: [number, number, number][][] = STREAMS.map(() => []);
    const sampleAt = columns.map(() => -1);
    columns.forEach((c, column) => {
      const { metric, streams } = c.reader;
      if (!metric.perStream) {
        const at = SAMPLE_ROWS.indexOf(metric.field);
        if (at >= 0) sampleAt[column] = 1 + at;
        return;
      }
      for (const stream of streams) {
        const at = STREAM_INDEX[stream];
        if (at === undefined) continue; // no sample has it
        if (!this.streamNames.includes(stream)) this.streamNames.push(stream);
        uses[at]!.push([column, STREAM_ROWS.indexOf(metric.field), this.streamNames.indexOf(stream) + 1]);
      }
    });
    this.compiled = compileReader({
      above: columns.map((c) => c.reader.above),
      avg: columns.map((c) => c.reader.aggregate === 'avg'),
      perStream: columns.map((c) => c.reader.metric.perStream),
      sampleAt,
      uses,
    });
  }

  /**
   * Writes sample `i`'s value of each column and the stream with the worst value into `out`
   * (the first of equal ones: what an alert's context names as its stream). From the sample's
   * numbers when it has them (`chunk` from `at`: numbersChunk and numbersAt, a stretch of a chunk
   * shared with the samples written next to it: sample-numbers.ts), else its objects.
   * Returns 1 when a value is past its column's first participant threshold (it breaches a
   * participant rule), else 0: found while the value is at hand, not by a pass over the columns.
   */
  read(s: QosSample, chunk: readonly number[] | undefined, at: number, i: number, out: ColumnOutput): number {
    // A sample the normalizer did not make (a test's, a refined minute) is read into numbers first.
    const numbers = chunk ?? numbersOf(s);
    const first = chunk ? at : 0;
    return this.compiled(numbers, first, i, out.cap, out.values, out.worst, this.first, s, this.other);
  }
}
