import { instanceKey } from '../normalize/events.js';
import type { QosSample } from '../normalize/sample.js';
import type { AlertChange, AlertContext } from './alert.js';
import { apply } from './alert-changes.js';
import type { EngineContext } from './context.js';
import { participantName } from './names.js';
import { breaches, recovers, ruleValue, worstStream } from './rule-value.js';

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
 * Participant rules for the samples of one sample time. A healthy sample of a participant
 * without alert series costs a threshold comparison per rule and nothing else.
 */
export function participantStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  changes: AlertChange[],
): void {
  for (const s of samples) {
    const ikey = instanceKey(s.instance);
    const who = `${ikey}/${s.participant.key}`;
    const hasSeries = ctx.series.hasParticipant(who);
    ctx.names.remember(ikey, s);
    for (const rule of ctx.rules.participant) {
      if (!rule.matches(s)) continue;
      const v = ruleValue(rule, s);
      if (v === undefined) continue; // missing data neither fires nor resolves
      const breaching = breaches(rule, v);
      if (!breaching && !hasSeries) continue;
      const id = `${rule.name}|${who}`;
      if (!breaching && !ctx.series.has(id)) continue;
      const rec = ctx.series.record(id, rule, {
        instance: ikey,
        participantKey: s.participant.key,
        context: participantContext(s, ctx.names.otherDevices(ikey, s), worstStream(rule, s)),
      });
      const c = apply(ctx, rule, rec, s.time, v, recovers(rule, v), breaching);
      if (c) changes.push(c);
    }
  }
}
