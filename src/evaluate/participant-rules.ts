import { isPartial } from '../normalize/dedup.js';
import type { InstanceRef, ParticipantContext, ParticipantRef, QosSample } from '../normalize/sample.js';
import type { AlertChange } from './alert.js';
import { apply } from './alert-changes.js';
import type { StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import { participantContext } from './participant-context.js';
import { breaches, recovers, worstStream } from './rule-value.js';
import type { SeriesRecord } from './series.js';

/**
 * What a participant alert's context was built from, kept on its series under a symbol (so
 * never saved): the context is built again only when one of them changed, not every cycle.
 */
const BUILT_FROM = Symbol('context built from');
interface ContextSource {
  instance: InstanceRef;
  participant: ParticipantRef;
  context: ParticipantContext;
  otherDevices: boolean;
  stream: string | undefined;
}
type Built = SeriesRecord & { [BUILT_FROM]?: ContextSource };

/** The same fields with the same values (a new sample's objects usually hold the same). */
function same(a: object, b: object): boolean {
  if (a === b) return true;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k in x) if (x[k] !== y[k] || !(k in y)) return false;
  for (const k in y) if (!(k in x)) return false;
  return true;
}

const sameSource = (f: ContextSource, s: QosSample, otherDevices: boolean, stream?: string): boolean =>
  f.otherDevices === otherDevices &&
  f.stream === stream &&
  same(f.context, s.context) &&
  same(f.participant, s.participant) &&
  same(f.instance, s.instance);

/**
 * Participant rules for the samples of one sample time, column by column (columns.ts): a
 * healthy value of a participant without alert series costs one comparison per column, and
 * nothing is built for it. `values` holds each column's value per sample (NaN: missing).
 */
export function participantStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  { instances, slots, values }: StepColumns,
  changes: AlertChange[],
): void {
  const { columns } = ctx.rules;
  const book = ctx.series;
  const slotNames = ctx.state.slots;
  /** The changes of one sample with their rule's place: they are handed on in rule order. */
  const mine: [number, AlertChange][] = [];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const ikey = instances[i]!;
    const slot = slots[i]!;
    const mySeries = book.ofSlot(slot);
    const hasSeries = mySeries !== undefined;
    // Part of a pushed minute (more streams may follow): only its breaches count (dedup.ts).
    const partial = hasSeries && isPartial(s);
    if (slotNames.rememberName(slot, s.participant.name)) ctx.names.remember(ikey, s);
    let otherDevices: boolean | undefined; // the sample's, found when first needed
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
        if (!rule.matches(s)) continue;
        otherDevices ??= ctx.names.otherDevices(ikey, s);
        if (stream === null) stream = worstStream(rule, s);
        const from = rec?.[BUILT_FROM];
        if (!rec || !from || !sameSource(from, s, otherDevices, stream)) {
          const context = ctx.state.slots.context(slot, s.context); // kept by the join's slot, not the sample's
          rec = book.record(`${rule.name}|${ikey}/${s.participant.key}`, rule, {
            instance: ikey,
            participantKey: s.participant.key,
            context: participantContext(s, context, otherDevices, stream),
          });
          rec[BUILT_FROM] = {
            instance: s.instance,
            participant: s.participant,
            context,
            otherDevices,
            stream,
          };
        }
        const change = apply(ctx, rule, rec, s.time, v, recovers(rule, v), breaching);
        if (change) mine.push([col.participantOrder[r]!, change]);
      }
    }
    if (!mine.length) continue;
    if (mine.length > 1) mine.sort((x, y) => x[0] - y[0]);
    for (const m of mine) changes.push(m[1]);
    mine.length = 0;
  }
}
