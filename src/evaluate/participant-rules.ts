import type { QosSample } from '../normalize/sample.js';
import type { AlertChange } from './alert.js';
import { apply } from './alert-changes.js';
import type { StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import { participantContext, participantSeriesId } from './participant-context.js';
import { breaches, recovers } from './rule-value.js';
import type { CompiledRule } from './rule-types.js';

/**
 * Participant rules for the samples of one sample time `t`, column by column (columns.ts): a
 * healthy value of a participant without alert series costs one comparison per column (made
 * while the sample was read: `past`), and nothing is built for it. A sample looked at reads its
 * column values from its row (`rows`, side by side: one or two cache lines, not one per column
 * array), or from the column arrays when it has none. A series that stays where it is, its
 * context built from the join as it is, is read and written in the series table alone
 * (series-table.ts); any other goes through its record (`observe`).
 */
export function participantStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  step: StepColumns,
  t: number,
  changes: AlertChange[],
): void {
  const { instances, names, slots, stamps, partial: partials, past, rowOf, width } = step;
  const book = ctx.series;
  const slotNames = ctx.state.slots;
  /** The changes of one sample with their rule's place: they are handed on in rule order. */
  const mine: [number, AlertChange][] = [];
  const at = new Observed(step.streamNames);
  for (let i = 0; i < samples.length; i++) {
    const slot = slots[i]!;
    if (slotNames.rememberName(slot, names[i]!)) ctx.names.remember(instances[i]!, samples[i]!);
    const block = book.table.block(slot);
    // A participant without series whose values breach no rule: nothing to do (the usual case).
    if (block < 0 && past[i] === 0) continue;
    at.take(samples[i]!, instances[i]!, slot, stamps[i]!, t, block);
    // Part of a pushed minute (more streams may follow): only its breaches count (dedup.ts).
    at.partial = block >= 0 && partials[i] === 1;
    const x = rowOf[i]!;
    if (x >= 0) sampleRules(ctx, at, step.rows, step.worstRows, x * width, mine);
    else sampleRules(ctx, at, rowFrom(step, i), scratchWorst, 0, mine);
    if (mine.length) handOn(mine, changes);
  }
}

/**
 * Sample `i`'s column values as a row (`StepColumns.rows`), read from the column arrays into
 * `scratch` (its worst streams into `scratchWorst`): for a sample given none.
 */
function rowFrom({ values, worst }: StepColumns, i: number): Float64Array {
  if (scratch.length < values.length) {
    scratch = new Float64Array(values.length);
    scratchWorst = new Uint8Array(values.length);
  }
  for (let c = 0; c < values.length; c++) {
    scratch[c] = values[c]![i]!;
    scratchWorst[c] = worst[c]![i]!;
  }
  return scratch;
}
let scratch = new Float64Array(0);
let scratchWorst = new Uint8Array(0);

/**
 * The participant rules on the sample `at` holds, its column values at `row + c` of `values`
 * (its worst streams of `worst`); its changes go to `mine`.
 */
function sampleRules(
  ctx: EngineContext,
  at: Observed,
  values: Float64Array,
  worst: Uint8Array,
  row: number,
  mine: [number, AlertChange][],
): void {
  const { columns, participantForMs } = ctx.rules;
  const gapMs = ctx.opts.gapToleranceMs;
  const { slot, stamp, block, partial, time } = at;
  const hasSeries = block >= 0;
  const table = ctx.series.table;
  const chunk = hasSeries ? table.chunk(block) : undefined;
  const base = hasSeries ? table.first(block) : 0;
  let other = -1; // the sample's other-devices answer as SeriesTable.builtWith has it, found when first needed
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    const v = values[row + c]!;
    // Missing data (NaN) neither fires nor resolves; a value not past the first threshold
    // breaches none of the column's rules.
    if (v !== v || (!hasSeries && (col.above ? !(v > col.first) : !(v < col.first)))) continue;
    const w = worst[row + c]!;
    for (let r = 0; r < col.participant.length; r++) {
      const rule = col.participant[r]!;
      const order = col.participantOrder[r]!;
      const breaching = breaches(rule, v);
      if (!breaching && !hasSeries) break; // the rules after it are stricter
      const k = base + order;
      const has = chunk !== undefined && chunk.has(k);
      if (!breaching && (partial || !has)) continue;
      const recovered = recovers(rule, v);
      // Its context built from the join as it is (its filters matched it), with the same
      // worst stream and other-devices answer: the table's step, if the series stays.
      if (has && chunk.builtAt[k] === stamp) {
        if (other < 0) other = otherDevicesOf(ctx, slot, at.ikey, at.s!, stamp) ? OTHER : 0;
        if (
          chunk.builtWith[k] === (w | other) &&
          chunk.stays(k, time, v, breaching, recovered, participantForMs[order]!, gapMs, rule.above)
        )
          continue;
      }
      const change = observe(ctx, at, rule, order, v, w, breaching, recovered, partial);
      if (change) mine.push([order, change]);
    }
  }
}

/** A sample's changes, handed on in the order of their rules (and let go of). */
function handOn(mine: [number, AlertChange][], changes: AlertChange[]): void {
  if (mine.length > 1) mine.sort((x, y) => x[0] - y[0]);
  for (const m of mine) changes.push(m[1]);
  mine.length = 0;
}

/** The sample a participant rule observes, as `observe` reads it: one per step, taken for each sample. */
class Observed {
  s: QosSample | undefined = undefined;
  ikey = '';
  slot = 0;
  /** The join slot's stamp (JoinSlots.see). */
  stamp = 0;
  /** The step's sample time (every sample's `time`: backlog.ts), read without loading the sample. */
  time = 0;
  /** The join's block in the series table (-1: none), and whether the sample is part of a pushed minute. */
  block = -1;
  partial = false;

  constructor(readonly streamNames: readonly string[]) {}

  take(s: QosSample, ikey: string, slot: number, stamp: number, time: number, block: number): void {
    this.s = s;
    this.ikey = ikey;
    this.slot = slot;
    this.stamp = stamp;
    this.time = time;
    this.block = block;
  }
}

/** SeriesTable.builtWith's mark of a context built with the person on other devices. */
const OTHER = 128;

/**
 * One observation of a participant rule through the series' record: a series made, its context
 * built again (the join, its worst stream or its other-devices answer changed), or a step that
 * is not the table's (a state change, a recovery, an explained alert, an unread pending change).
 */
function observe(
  ctx: EngineContext,
  { s: sample, ikey, slot, stamp, streamNames }: Observed,
  rule: CompiledRule,
  order: number,
  v: number,
  w: number,
  breaching: boolean,
  recovered: boolean,
  partial: boolean,
): AlertChange | undefined {
  const s = sample!;
  const book = ctx.series;
  const table = book.table;
  const block = table.block(slot);
  const chunk = block < 0 ? undefined : table.chunk(block);
  const k = block < 0 ? -1 : table.first(block) + order;
  let rec = chunk?.records[k];
  const known = rec !== undefined && chunk!.builtAt[k] === stamp; // its filters matched this join as it is
  if (!known && !rule.matches(s)) {
    // Out of the rule's scope now (Zoom's verdict is back to good, the join left Wi-Fi...):
    // a series it has reads this as a recovered reading, so that it resolves (after the
    // rule's recovery time) or, pending, is cancelled; it would otherwise never end.
    if (!rec || partial) return undefined;
    const change = apply(ctx, rule, rec, s.time, v, true, false);
    book.store(rec);
    return change;
  }
  const otherDevices = otherDevicesOf(ctx, slot, ikey, s, stamp);
  const built = w | (otherDevices ? OTHER : 0);
  if (!rec || !known || chunk!.builtWith[k] !== built) {
    const context = ctx.state.slots.keptContextOf(slot)!; // kept by the join's slot, not the sample's
    rec = book.record(participantSeriesId(rule.name, ikey, s.participant.key), rule, {
      instance: ikey,
      participantKey: s.participant.key,
      context: participantContext(s, context, otherDevices, streamNames[w - 1]),
    });
    table.built(book.entryOf(rec), stamp, built);
  }
  const change = apply(ctx, rule, rec, s.time, v, recovered, breaching);
  book.store(rec);
  return change;
}

/**
 * Whether the sample's name has another join in its instance (JoinNames.otherDevices): the
 * answer found for the join as it is (its slot's stamp) while no name gained or lost a join
 * since (kept by its series' block in the table), else looked up.
 */
function otherDevicesOf(
  ctx: EngineContext,
  slot: number,
  ikey: string,
  s: QosSample,
  stamp: number,
): boolean {
  const table = ctx.series.table;
  const b = table.block(slot);
  const version = ctx.names.version;
  const kept = b < 0 ? 0 : table.otherDevices(b, stamp, version);
  if (kept !== 0) return kept === 2;
  const other = ctx.names.otherDevices(ikey, s);
  if (b >= 0) table.keepOtherDevices(b, stamp, version, other);
  return other;
}
