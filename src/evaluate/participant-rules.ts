import type { QosSample } from '../normalize/sample.js';
import type { AlertChange, AlertContext } from './alert.js';
import { apply } from './alert-changes.js';
import type { StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import { participantName } from './names.js';
import { breaches, recovers, worstStream } from './rule-value.js';

function participantContext(s: QosSample, otherDevices: boolean, stream?: string): AlertContext {
  const c = s.context;
  return {
    kind: s.instance.kind,
    instanceId: s.instance.id,
    uuid: s.instance.uuid,
    topic: s.instance.topic,
    // `label` names the device when the person is on two at once (poll/joins.ts); else a
    // guest gets a readable name and a same-name second join says its device (names.ts).
    participant: s.participant.label || participantName(s, otherDevices),
    participantKey: s.participant.key,
    ...c,
    ...(c.version ? { clientVersion: c.version } : {}),
    ...(stream ? { stream } : {}),
  };
}

/**
 * Participant rules for the samples of one sample time, column by column (columns.ts): a
 * healthy value of a participant without alert series costs one comparison per column, and
 * nothing is built for it. `values` holds each column's value per sample (NaN: missing).
 */
export function participantStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  { instances, values }: StepColumns,
  changes: AlertChange[],
): void {
  const { columns } = ctx.rules;
  /** The changes of one sample with their rule's place: they are handed on in rule order. */
  const mine: [number, AlertChange][] = [];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const ikey = instances[i]!;
    const hasSeries = ctx.series.inInstance(ikey)?.has(s.participant.key) ?? false;
    ctx.names.remember(ikey, s);
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      const v = values[c]![i]!;
      // Missing data (NaN) neither fires nor resolves; a value not past the first threshold
      // breaches none of the column's rules.
      if (v !== v || (!hasSeries && (col.above ? !(v > col.first) : !(v < col.first)))) continue;
      for (let r = 0; r < col.participant.length; r++) {
        const rule = col.participant[r]!;
        const breaching = breaches(rule, v);
        if (!breaching && !hasSeries) break; // the rules after it are stricter
        if (!rule.matches(s)) continue;
        const id = `${rule.name}|${ikey}/${s.participant.key}`;
        if (!breaching && !ctx.series.has(id)) continue;
        const rec = ctx.series.record(id, rule, {
          instance: ikey,
          participantKey: s.participant.key,
          context: participantContext(s, ctx.names.otherDevices(ikey, s), worstStream(rule, s)),
        });
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
