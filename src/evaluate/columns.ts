import { instanceKey } from '../normalize/events.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { JoinSlots } from './join-slots.js';
import type { CompiledRule } from './rule-types.js';
import { ColumnReader } from './column-reader.js';

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
  /** Each sample's join slot (join-slots.ts). */
  readonly slots: Int32Array;
  /** Per column, the value per sample (NaN where missing: normalized values are finite). */
  readonly values: readonly Float64Array[];
}

/**
 * Each column's value for each sample of one sample time, in typed arrays, and each sample's
 * instance key and join slot (the instance's key and joins found once per instance: a poll's
 * samples come instance by instance). The arrays are kept and grown, not made again every cycle.
 */
export class ColumnValues {
  private readonly arrays: Float64Array[] = [];
  private readonly instances: string[] = [];
  private slots = new Int32Array(0);
  private reader: ColumnReader | undefined;

  fill(columns: readonly Column[], samples: readonly QosSample[], joins: JoinSlots): StepColumns {
    const n = samples.length;
    let instance: InstanceRef | undefined;
    let ikey = '';
    let inst: Map<string, number> | undefined;
    this.instances.length = n;
    if (this.slots.length < n) this.slots = new Int32Array(Math.max(n, this.slots.length * 2));
    for (let i = 0; i < n; i++) {
      const s = samples[i]!;
      if (s.instance !== instance) {
        instance = s.instance;
        ikey = instanceKey(instance);
        inst = joins.instance(ikey);
      }
      this.instances[i] = ikey;
      this.slots[i] = joins.slotIn(inst!, ikey, s.participant.key);
    }
    for (let c = 0; c < columns.length; c++) {
      const a = this.arrays[c];
      if (!a || a.length < n) this.arrays[c] = new Float64Array(Math.max(n, (a?.length ?? 0) * 2));
    }
    let reader = this.reader;
    if (reader?.columns !== columns) this.reader = reader = new ColumnReader(columns);
    for (let i = 0; i < n; i++) reader.read(samples[i]!, i, this.arrays);
    return { instances: this.instances, slots: this.slots, values: this.arrays };
  }
}
