import { isPartial } from '../normalize/dedup.js';
import { instanceKey } from '../normalize/events.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import { JOIN_ROOM, numbersAt, numbersChunk } from '../normalize/sample-numbers.js';
import type { JoinSlots } from './join-slots.js';
import type { CompiledRule } from './rule-types.js';
import { ColumnReader, type ColumnOutput } from './column-reader.js';

/**
 * Rules that read the same value of a sample: one metric over the same streams, with the same
 * aggregate and direction. The value is read once per sample for all of them.
 */
export interface Column {
  /** Any of its rules: the value is `ruleValue(reader, sample)` for each of them. */
  readonly reader: CompiledRule;
  readonly above: boolean;
  /** Its participant rules, the first to breach first (lowest threshold for `above`). */
  readonly participant: readonly CompiledRule[];
  /** Where each of them stands in the rule set's participant rules (changes keep that order). */
  readonly participantOrder: readonly number[];
  /** The first participant rule's threshold: a value not past it breaches none of them. */
  readonly first: number;
}

const columnKey = (r: CompiledRule): string =>
  `${r.metric.field.group}.${r.metric.field.key}|${r.streams.join(',')}|${r.aggregate}|${r.above}`;

/**
 * The columns of a rule set, and for each rule the index of its column. Participant rules
 * are sorted by threshold within their column, so a healthy value costs one comparison.
 */
export function columnsOf(
  rules: readonly CompiledRule[],
  participant: readonly CompiledRule[],
): { columns: Column[]; columnOf: Map<CompiledRule, number> } {
  const byKey = new Map<string, CompiledRule[]>();
  for (const r of rules) {
    const k = columnKey(r);
    const list = byKey.get(k);
    if (list) list.push(r);
    else byKey.set(k, [r]);
  }
  const columns: Column[] = [];
  const columnOf = new Map<CompiledRule, number>();
  const index = new Map(participant.map((r, i) => [r, i]));
  for (const list of byKey.values()) {
    const above = list[0]!.above;
    const mine = list
      .filter((r) => index.has(r))
      .sort((a, b) => (above ? a.threshold - b.threshold : b.threshold - a.threshold));
    for (const r of list) columnOf.set(r, columns.length);
    columns.push({
      reader: list[0]!,
      above,
      participant: mine,
      participantOrder: mine.map((r) => index.get(r)!),
      first: mine[0]?.threshold ?? (above ? Infinity : -Infinity),
    });
  }
  return { columns, columnOf };
}

/** One sample time's samples as the rule passes read them: each sample's instance key, join slot and column values. */
export interface StepColumns {
  readonly instances: readonly string[];
  /** Each sample's participant name: read while the sample is, not again from its objects. */
  readonly names: readonly string[];
  /** Each sample's join slot (join-slots.ts). */
  readonly slots: Int32Array;
  /** Each sample's slot stamp (JoinSlots.see): what is worked out from its join is kept by it. */
  readonly stamps: Int32Array;
  /** 1 for a sample that is part of a pushed minute (more streams may follow; dedup.ts). */
  readonly partial: Uint8Array;
  /** Per column, the value per sample (NaN where missing: normalized values are finite). */
  readonly values: readonly Float64Array[];
  /** Per column, the index (in `streamNames`) of the stream with the worst value per sample. */
  readonly worst: readonly Uint8Array[];
  readonly streamNames: readonly string[];
  /** 1 for a sample with a value past its column's first participant threshold (it breaches a participant rule). */
  readonly past: Uint8Array;
  /**
   * Per sample: its row in `rows` (-1: none), given to the samples participant rules look at
   * (`past`, or their join had participant series when read).
   */
  readonly rowOf: Int32Array;
  /** A row per such sample: its column values side by side (`values`, `worst`), column c at row x width + c. */
  readonly rows: Float64Array;
  readonly worstRows: Uint8Array;
  /** A row's length: the columns. */
  readonly width: number;
}

/** What `fill` asks of the participant series: whether a join has any (SeriesTable.block, -1: none). */
interface SeriesBlocks {
  block(slot: number): number;
}

/**
 * Rows of `StepColumns.rows` at most (about 3 MB at 32 columns): more samples to look at (a
 * storm) read the column arrays, as every sample did before.
 */
const MAX_ROWS = 10_000;

/**
 * Each column's value for each sample of one sample time, in typed arrays, and each sample's
 * instance key and join slot (the instance's key and joins found once per instance: a poll's
 * samples come instance by instance). The arrays are kept and grown, not made again every cycle.
 */
export class ColumnValues {
  /** Every column's values and worst streams in one array each (ColumnOutput), and a view of each column's. */
  private out: ColumnOutput = { values: new Float64Array(0), worst: new Uint8Array(0), cap: 0 };
  private readonly arrays: Float64Array[] = [];
  private readonly worst: Uint8Array[] = [];
  private readonly instances: string[] = [];
  private readonly names: string[] = [];
  private slots = new Int32Array(0);
  private stamps = new Int32Array(0);
  private partial = new Uint8Array(0);
  private past = new Uint8Array(0);
  private rowOf = new Int32Array(0);
  private rows = new Float64Array(0);
  private worstRows = new Uint8Array(0);
  /** The columns of the step being read: a row's length. */
  private width = 0;
  private reader: ColumnReader | undefined;
  /**
   * Per instance (its participants map, JoinSlots.instance): the join slot of each place in its
   * run of samples last time. A poll brings an instance's participants in the same order every
   * time, so the slot at a sample's place is its join's, checked, not looked up (JoinSlots.slotIn).
   */
  private readonly order = new WeakMap<Map<string, number>, number[]>();
  /** The instance run being read: its slots by place last time (`order`), and the place reached. */
  private run: number[] = [];
  private place = 0;

  /** The instance of the run of samples being read (`slotOf`), its key and participants map. */
  private instance: InstanceRef | undefined;
  private ikey = '';
  private inst: Map<string, number> | undefined;

  fill(
    columns: readonly Column[],
    samples: readonly QosSample[],
    joins: JoinSlots,
    series: SeriesBlocks,
  ): StepColumns {
    const n = samples.length;
    this.instance = undefined;
    this.width = columns.length;
    this.grow(n);
    let reader = this.reader;
    if (reader?.columns !== columns) this.reader = reader = new ColumnReader(columns);
    const { slots, stamps, partial, past, rowOf, out } = this;
    let rows = 0;
    // One pass: each sample's objects are read while they are in the cache (a pass per part
    // read them from memory again, 100,000 samples being more than the cache holds).
    for (let i = 0; i < n; i++) {
      const s = samples[i]!;
      const numbers = numbersChunk(s);
      const at = numbers ? numbersAt(s) : 0;
      // A sample of its join's version last taken (normalize/join-versions.ts): its slot found
      // by its row, and nothing of its instance, participant or context read again.
      const row = at >= JOIN_ROOM ? numbers![at - JOIN_ROOM]! : -1;
      const version = row >= 0 ? numbers![at - JOIN_ROOM + 1]! : 0;
      let slot = joins.ofVersion(row, version);
      if (slot >= 0) {
        this.instances[i] = joins.instanceKeyOf(slot);
        this.names[i] = joins.nameOf(slot);
      } else {
        slot = this.slotOf(s, i, joins);
        joins.took(slot, row, version);
      }
      slots[i] = slot;
      stamps[i] = joins.stamp(slot);
      partial[i] = isPartial(s) ? 1 : 0;
      const pastFirst = reader.read(s, numbers, at, i, out);
      past[i] = pastFirst;
      rowOf[i] = -1;
      if ((pastFirst === 1 || series.block(slot) >= 0) && rows < MAX_ROWS) this.row(i, rows++);
    }
    return {
      instances: this.instances,
      names: this.names,
      slots,
      stamps,
      partial,
      values: this.arrays,
      worst: this.worst,
      streamNames: reader.streamNames,
      past,
      rowOf,
      rows: this.rows,
      worstRows: this.worstRows,
      width: this.width,
    };
  }

  /**
   * Sample `i`'s join slot found by its instance and participant keys, and the join's state
   * taken from it (JoinSlots.see). A run of the same instance (kind and UUID: its key) keeps its
   * key and joins, even when its samples bring instance objects of their own: no key made and
   * looked up per sample.
   */
  private slotOf(s: QosSample, i: number, joins: JoinSlots): number {
    const next = s.instance;
    if (next !== this.instance) {
      const was = this.instance;
      if (!was || next.uuid !== was.uuid || next.kind !== was.kind) {
        this.ikey = instanceKey(next);
        this.startRun((this.inst = joins.instance(this.ikey)));
      }
      this.instance = next;
    }
    this.instances[i] = this.ikey;
    const participant = s.participant;
    this.names[i] = participant.name;
    const slot = this.slotAt(joins, this.inst!, this.ikey, participant.key);
    joins.see(slot, s);
    return slot;
  }

  /** The per-sample arrays grown to `n` samples (rows grow as they are taken: `roomFor`). */
  private grow(n: number): void {
    const width = this.width;
    this.instances.length = n;
    this.names.length = n;
    if (this.slots.length < n) {
      const size = Math.max(n, this.slots.length * 2);
      this.slots = new Int32Array(size);
      this.stamps = new Int32Array(size);
      this.partial = new Uint8Array(size);
      this.past = new Uint8Array(size);
      this.rowOf = new Int32Array(size);
    }
    let cap = this.out.cap;
    if (cap < n) cap = Math.max(n, cap * 2);
    if (cap !== this.out.cap || this.arrays.length !== width) this.columnsOf(cap, width);
  }

  /**
   * Room for rows up to `x` (grown as rows are taken, not to a row per sample: most samples of a
   * quiet minute take none, and rows for all cost 64 B of heap per live participant held between
   * steps in poller-memory.bench). Rows already written are kept.
   */
  private roomFor(x: number): void {
    const need = (x + 1) * this.width;
    if (this.rows.length >= need) return;
    const size = Math.max(need, this.rows.length * 2, 64 * this.width);
    const rows = new Float64Array(size);
    const worstRows = new Uint8Array(size);
    rows.set(this.rows);
    worstRows.set(this.worstRows);
    this.rows = rows;
    this.worstRows = worstRows;
  }

  /** Room for `cap` samples of `width` columns: one array of values and one of worst streams, and each column's view of them. */
  private columnsOf(cap: number, width: number): void {
    const out = { values: new Float64Array(cap * width), worst: new Uint8Array(cap * width), cap };
    this.out = out;
    this.arrays.length = 0;
    this.worst.length = 0;
    for (let c = 0; c < width; c++) {
      this.arrays.push(out.values.subarray(c * cap, c * cap + cap));
      this.worst.push(out.worst.subarray(c * cap, c * cap + cap));
    }
  }

  /** Copies sample `i`'s column values, just written (in the cache still), to row `x`. */
  private row(i: number, x: number): void {
    this.roomFor(x);
    const { arrays, worst, rows, worstRows, width } = this;
    for (let c = 0, at = x * width; c < width; c++, at++) {
      rows[at] = arrays[c]![i]!;
      worstRows[at] = worst[c]![i]!;
    }
    this.rowOf[i] = x;
  }

  /** A run of samples of the instance whose participants map is `inst` starts. */
  private startRun(inst: Map<string, number>): void {
    let run = this.order.get(inst);
    if (!run) this.order.set(inst, (run = []));
    this.run = run;
    this.place = 0;
  }

  /** The join slot of the run's next sample, guessed from the run's order last time (JoinSlots.slotIn). */
  private slotAt(joins: JoinSlots, inst: Map<string, number>, ikey: string, pkey: string): number {
    const { run, place } = this;
    const slot = joins.slotIn(inst, ikey, pkey, place < run.length ? run[place]! : -1);
    if (place < run.length) run[place] = slot;
    else run.push(slot);
    this.place = place + 1;
    return slot;
  }
}
