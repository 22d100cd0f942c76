import type { QosSample } from '../normalize/sample.js';
import type { AlertChange } from './alert.js';
import { apply } from './alert-changes.js';
import type { Column, StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import { participantContext, participantSeriesId } from './participant-context.js';
import { breaches, recovers } from './rule-value.js';
import type { CompiledRule } from './rule-types.js';

/**
 * Participant rules for the samples of one sample time, column by column (columns.ts): a
 * healthy value of a participant without alert series costs one comparison per column, and
 * nothing is built for it. `values` holds each column's value per sample (NaN: missing). A
 * series that stays where it is, its context built from the join as it is, is read and written
 * in the series table alone (series-table.ts); any other goes through its record (`observe`).
 */
export function participantStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  { instances, names, slots, stamps, partial: partials, values, worst, streamNames }: StepColumns,
  changes: AlertChange[],
): void {
  const { columns, participantForMs } = ctx.rules;
  const book = ctx.series;
  const gapMs = ctx.opts.gapToleranceMs;
  const slotNames = ctx.state.slots;
  const past = pastFirst(columns, values, samples.length);
  /** The changes of one sample with their rule's place: they are handed on in rule order. */
  const mine: [number, AlertChange][] = [];
  const at = new Observed(streamNames);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const ikey = instances[i]!;
    const slot = slots[i]!;
    if (slotNames.rememberName(slot, names[i]!)) ctx.names.remember(ikey, s);
    const table = book.table;
    const block = table.block(slot);
    const hasSeries = block >= 0;
    // A participant without series whose values breach no rule: nothing to do (the usual case).
    if (!hasSeries && past[i] === 0) continue;
    // Part of a pushed minute (more streams may follow): only its breaches count (dedup.ts).
    const partial = hasSeries && partials[i] === 1;
    const stamp = stamps[i]!;
    const chunk = hasSeries ? table.chunk(block) : undefined;
    const base = hasSeries ? table.first(block) : 0;
    at.take(s, ikey, slot, stamp);
    let other = -1; // the sample's other-devices answer as SeriesTable.builtWith has it, found when first needed
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      const v = values[c]![i]!;
      // Missing data (NaN) neither fires nor resolves; a value not past the first threshold
      // breaches none of the column's rules.
      if (v !== v || (!hasSeries && (col.above ? !(v > col.first) : !(v < col.first)))) continue;
      const w = worst[c]![i]!;
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
          if (other < 0) other = otherDevicesOf(ctx, slot, ikey, s, stamp) ? OTHER : 0;
          if (
            chunk.builtWith[k] === (w | other) &&
            chunk.stays(k, s.time, v, breaching, recovered, participantForMs[order]!, gapMs)
          )
            continue;
        }
        const change = observe(ctx, at, rule, order, v, w, breaching, recovered, partial);
        if (change) mine.push([order, change]);
      }
    }
    if (mine.length) handOn(mine, changes);
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

  constructor(readonly streamNames: readonly string[]) {}

  take(s: QosSample, ikey: string, slot: number, stamp: number): void {
    this.s = s;
    this.ikey = ikey;
    this.slot = slot;
    this.stamp = stamp;
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

/** Kept and grown, not made every step: per sample, whether a value is past its column's first threshold. */
let pastBuffer = new Uint8Array(0);

/**
 * Per sample, 1 when any column's value is past the column's first participant threshold (it
 * breaches a rule): found column by column in tight loops over the typed arrays, so a healthy
 * participant without series costs no per-column work in the sample loop.
 */
function pastFirst(columns: readonly Column[], values: readonly Float64Array[], n: number): Uint8Array {
  if (pastBuffer.length < n) pastBuffer = new Uint8Array(Math.max(n, pastBuffer.length * 2));
  const past = pastBuffer;
  past.fill(0, 0, n);
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (!col.participant.length) continue;
    const v = values[c]!;
    const first = col.first;
    // NaN (missing) is past nothing.
    if (col.above) {
      for (let i = 0; i < n; i++) if (v[i]! > first) past[i] = 1;
    } else for (let i = 0; i < n; i++) if (v[i]! < first) past[i] = 1;
  }
  return past;
}
