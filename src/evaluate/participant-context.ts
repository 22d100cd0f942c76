import type { ParticipantContext, QosSample } from '../normalize/sample.js';
import type { AlertContext } from './alert.js';
import { participantName } from './names.js';

/**
 * The contexts built for joins, by the context fields they are kept with (one object per kind of
 * context, shared by the joins with the same fields: normalize/kept-context.ts): every rule's
 * series of a join shares one (one per worst stream), instead of holding a copy each. Bounded:
 * the oldest goes first, and is built again (equal) when asked for.
 */
const builtFor = new WeakMap<Readonly<ParticipantContext>, AlertContext[]>();
const MAX_PER_JOIN = 8;

/**
 * A participant alert's context: the sample's meeting and participant, its context fields
 * (`version` also as `clientVersion`) and the stream. `c` is the join's context as kept (never
 * changed in place); the context returned is shared, and must not be changed either.
 */
export function participantContext(
  s: QosSample,
  c: Readonly<ParticipantContext>,
  otherDevices: boolean,
  stream?: string,
): AlertContext {
  // `label` names the device when the person is on two at once (poll/joins.ts); else a
  // guest gets a readable name and a same-name second join says its device (names.ts).
  const participant = s.participant.label || participantName(s, otherDevices);
  let built = builtFor.get(c);
  if (built) {
    const { instance } = s;
    for (const b of built)
      if (
        b.participant === participant &&
        b.stream === stream &&
        b.participantKey === s.participant.key &&
        b.instanceId === instance.id &&
        b.uuid === instance.uuid &&
        b.topic === instance.topic &&
        b.kind === instance.kind
      )
        return b; // built from the same parts: the same fields with the same values
  } else builtFor.set(c, (built = []));
  const made: AlertContext = {
    kind: s.instance.kind,
    instanceId: s.instance.id,
    uuid: s.instance.uuid,
    topic: s.instance.topic,
    participant,
    participantKey: s.participant.key,
    ...c,
    ...(c.version ? { clientVersion: c.version } : {}),
    ...(stream ? { stream } : {}),
  };
  if (built.length >= MAX_PER_JOIN) built.shift();
  built.push(made);
  return made;
}

/**
 * A participant series' id, `rule|instance/participant`, as one flat string: a template
 * literal keeps it as a rope of four parts (128 bytes, not 60), for as long as the series lives.
 */
export const participantSeriesId = (rule: string, ikey: string, pkey: string): string =>
  [rule, '|', ikey, '/', pkey].join('');
