import type { QosSample } from '../normalize/sample.js';
import type { AlertChange } from './alert.js';
import { apply } from './alert-changes.js';
import type { Column, StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import { participantContext, participantSeriesId } from './participant-context.js';
import { breaches, recovers } from './rule-value.js';
import type { RuleSet } from './rule-set.js';
import type { SeriesRecord } from './series.js';

/**
 * What a participant alert's context was built from, kept on its series under a symbol (so
 * never saved): the join slot's stamp (JoinSlots.see: its instance, participant and context
 * fields), the other-devices answer and the worst stream. The context is built again only
 * when one of them changed, not every cycle; while the stamp holds, the rule's filters (which
 * read only those) still match, and while the names' version (JoinNames.version) holds too, so
 * does the other-devices answer: it is not looked up again.
 */
const BUILT_FROM = Symbol('context built from');
interface ContextSource {
  /** The rule set it was built under (a reload may change the rule's filters). */
  rules: RuleSet;
  stamp: number;
  /** JoinNames.version when `otherDevices` was last found (for this stamp). */
  names: number;
  otherDevices: boolean;
  stream: string | undefined;
}
type Built = SeriesRecord & { [BUILT_FROM]?: ContextSource };

/**
 * Participant rules for the samples of one sample time, column by column (columns.ts): a
 * healthy value of a participant without alert series costs one comparison per column, and
 * nothing is built for it. `values` holds each column's value per sample (NaN: missing).
 */
export function participantStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  { instances, names, slots, stamps, partial: partials, values, worst, streamNames }: StepColumns,
  changes: AlertChange[],
): void {
  const { columns } = ctx.rules;
  const book = ctx.series;
  const slotNames = ctx.state.slots;
  const past = pastFirst(columns, values, samples.length);
  /** The changes of one sample with their rule's place: they are handed on in rule order. */
  const mine: [number, AlertChange][] = [];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const ikey = instances[i]!;
    const slot = slots[i]!;
    if (slotNames.rememberName(slot, names[i]!)) ctx.names.remember(ikey, s);
    const mySeries = book.ofSlot(slot);
    const hasSeries = mySeries !== undefined;
    // A participant without series whose values breach no rule: nothing to do (the usual case).
    if (!hasSeries && past[i] === 0) continue;
    // Part of a pushed minute (more streams may follow): only its breaches count (dedup.ts).
    const partial = hasSeries && partials[i] === 1;
    const stamp = stamps[i]!;
    let otherDevices: boolean | undefined; // the sample's, found when first needed
    let built: ContextSource | undefined; // the sample's series built last: shared when the same
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      const v = values[c]![i]!;
      let stream: string | undefined | null = null; // the column's worst stream (the same for its rules)
      // Missing data (NaN) neither fires nor resolves; a value not past the first threshold
      // breaches none of the column's rules.
      if (v !== v || (!hasSeries && (col.above ? !(v > col.first) : !(v < col.first)))) continue;
      for (let r = 0; r < col.participant.length; r++) {
        const rule = col.participant[r]!;
        const breaching = breaches(rule, v);
        if (!breaching && !hasSeries) break; // the rules after it are stricter
        let rec: Built | undefined = mySeries?.get(rule.name);
        if (!breaching && (partial || !rec)) continue;
        const from = rec?.[BUILT_FROM];
        const known = from !== undefined && from.stamp === stamp && from.rules === ctx.rules; // its filters matched this join as it is
        if (!known && !rule.matches(s)) {
          // Out of the rule's scope now (Zoom's verdict is back to good, the join left Wi-Fi...):
          // a series it has reads this as a recovered reading, so that it resolves (after the
          // rule's recovery time) or, pending, is cancelled; it would otherwise never end.
          if (rec && !partial)
            keep(mine, col.participantOrder[r]!, apply(ctx, rule, rec, s.time, v, true, false));
          continue;
        }
        otherDevices ??= otherDevicesOf(ctx, ikey, s, known ? from : undefined);
        if (stream === null) stream = streamNames[worst[c]![i]! - 1];
        if (!rec || !known || from.otherDevices !== otherDevices || from.stream !== stream) {
          const context = ctx.state.slots.keptContextOf(slot)!; // kept by the join's slot, not the sample's
          rec = book.record(participantSeriesId(rule.name, ikey, s.participant.key), rule, {
            instance: ikey,
            participantKey: s.participant.key,
            context: participantContext(s, context, otherDevices, stream),
          });
          if (built?.otherDevices !== otherDevices || built.stream !== stream)
            built = { rules: ctx.rules, stamp, names: ctx.names.version, otherDevices, stream };
          rec[BUILT_FROM] = built;
        }
        keep(mine, col.participantOrder[r]!, apply(ctx, rule, rec, s.time, v, recovers(rule, v), breaching));
      }
    }
    if (mine.length) handOn(mine, changes);
  }
}

/** Keeps a sample's change with its rule's place (participantStep hands them on in rule order). */
function keep(mine: [number, AlertChange][], order: number, change: AlertChange | undefined): void {
  if (change) mine.push([order, change]);
}

/** Hands on a sample's changes in rule order, and empties `mine` for the next sample. */
function handOn(mine: [number, AlertChange][], changes: AlertChange[]): void {
  if (mine.length > 1) mine.sort((x, y) => x[0] - y[0]);
  for (const m of mine) changes.push(m[1]);
  mine.length = 0;
}

/**
 * Whether the sample's name has another join in its instance (JoinNames.otherDevices): the
 * answer its series' context was built with (`from`, built while the join was as it is now)
 * while no name gained or lost a join since, else looked up.
 */
function otherDevicesOf(
  ctx: EngineContext,
  ikey: string,
  s: QosSample,
  from: ContextSource | undefined,
): boolean {
  const version = ctx.names.version;
  if (from?.names === version) return from.otherDevices;
  const other = ctx.names.otherDevices(ikey, s);
  if (from?.otherDevices === other) from.names = version; // still what it was built with: it holds at this version too
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
