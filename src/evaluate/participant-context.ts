import type { ParticipantContext, QosSample } from '../normalize/sample.js';
import type { AlertContext } from './alert.js';
import { participantName } from './names.js';

/**
 * A participant alert's context: the sample's meeting and participant, its context fields
 * (`version` also as `clientVersion`) and the stream.
 */
export function participantContext(
  s: QosSample,
  c: Readonly<ParticipantContext>,
  otherDevices: boolean,
  stream?: string,
): AlertContext {
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
