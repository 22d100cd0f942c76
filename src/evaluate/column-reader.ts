import { numericValue, type FieldDef } from '../normalize/catalog.js';
import type { QosSample } from '../normalize/sample.js';
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
  key: string;
  field: FieldDef;
}

/**
 * Reads every column's value of a sample in one pass over its streams: each stream is looked
 * at once for all the columns that read it, in the sample's stream order (as `ruleValue`
 * does, so an average sums in the same order and is the same number). Per-sample metrics
 * (CPU, Wi-Fi) are read through `ruleValue`.
 */
export class ColumnReader {
  /** Stream name -> the columns that read it. */
  private readonly byStream = new Map<string, StreamUse[]>();
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
    columns.forEach((c, column) => {
      const { metric, streams } = c.reader;
      if (!metric.perStream) return void this.otherColumns.push(column);
      this.streamColumns.push(column);
      for (const stream of streams) {
        let uses = this.byStream.get(stream);
        if (!uses) {
          this.byStream.set(stream, (uses = []));
          this.streamNames.push(stream);
        }
        const index = this.streamNames.indexOf(stream) + 1;
        uses.push({ column, stream: index, key: metric.field.key, field: metric.field });
      }
    });
  }

  /**
   * Writes sample `i`'s value of each column into `out[column][i]` (NaN when missing), and the
   * stream with the worst value into `worst[column][i]` (the first of equal ones: what an alert's
   * context names as its stream).
   */
  read(s: QosSample, i: number, out: readonly Float64Array[], worst: readonly Uint8Array[]): void {
    const { best, sum, count, above, worstOf } = this;
    for (const c of this.streamColumns) count[c] = 0;
    for (const stream in s.streams) {
      const uses = this.byStream.get(stream);
      const metrics = s.streams[stream] as Record<string, unknown> | undefined;
      if (!uses || !metrics) continue;
      for (let u = 0; u < uses.length; u++) {
        const use = uses[u]!;
        const raw = metrics[use.key];
        const v = typeof raw === 'number' ? raw : numericValue(use.field, raw);
        if (v === undefined) continue;
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
    for (const c of this.streamColumns) {
      out[c]![i] = count[c] === 0 ? NaN : this.avg[c] ? sum[c]! / count[c]! : best[c]!;
      worst[c]![i] = count[c] === 0 ? 0 : worstOf[c]!;
    }
    for (const c of this.otherColumns) {
      out[c]![i] = ruleValue(this.columns[c]!.reader, s) ?? NaN;
      worst[c]![i] = 0;
    }
  }
}
