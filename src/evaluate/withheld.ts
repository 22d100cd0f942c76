import type { ParticipantContext } from '../normalize/sample.js';
import { shownKey } from '../normalize/zoom-text.js';
import type { AlertContext } from './alert.js';

/** What stands in for a participant's location (or device name) in alerts shown without the identity opt-in. */
export const WITHHELD = '[withheld]';

/**
 * Context fields whose text from Zoom can say who or where, by key and by name in rules
 * (group_by): the location; the microphone, speaker and camera, whose names people give them
 * ("Rea's AirPods"); and leave_reason, which Zoom writes as "$name left the meeting." (read
 * apart: withheldLeaveReason).
 */
const PERSONAL = [
  ['location', 'location'],
  ['microphone', 'microphone'],
  ['speaker', 'speaker'],
  ['camera', 'camera'],
  ['leaveReason', 'leave_reason'],
] as const satisfies readonly (readonly [keyof ParticipantContext, string])[];

/**
 * Zoom's leave_reason without the participant's name. Zoom's texts (its OpenAPI enum) are
 * `$name left the meeting.`, `$name got disconnected from the meeting.` and name-free ones
 * (`Host ended the meeting.`, `Removed by host.`...), and answers join two with
 * `<br>Reason: ` ("Rea left the meeting.<br>Reason: Host closed the meeting."): the part after
 * the last `Reason:` is the reason. A named text keeps its words without the name ("left the
 * meeting."); any other text is withheld whole, since it may hold anything.
 */
export function withheldLeaveReason(text: string): string {
  const reason = /^[^]*Reason:\s*([^]*)$/i.exec(text)?.[1]?.trim() || text.trim();
  const named = /(?:^|\s)(left|got disconnected from) the (meeting|webinar|session)\.?$/i.exec(reason);
  if (named) return `${named[1]!.toLowerCase()} the ${named[2]!.toLowerCase()}.`;
  return NAME_FREE.has(reason.toLowerCase().replace(/\.$/, '')) ? reason : WITHHELD;
}

/** Zoom's leave_reason texts that name no one (its OpenAPI enum), lower case, without the full stop. */
const NAME_FREE: ReadonlySet<string> = new Set([
  ...['meeting', 'webinar', 'session'].flatMap((m) => [
    `host ended the ${m}`,
    `host closed the ${m}`,
    `host started a new ${m}`,
    `exceeded free ${m} minutes limit`,
  ]),
  'network connection error',
  'host did not join',
  'removed by host',
  'unknown reason',
  'leave waiting room',
  'removed by host from waiting room',
]);

/** A context field's text (by its name in rules) as shown without the identity opt-in. */
function withheldText(rule: string, value: string): string {
  if (rule === 'leave_reason') return withheldLeaveReason(value);
  return PERSONAL.some(([, r]) => r === rule) ? WITHHELD : value;
}

/** A participant's context fields with what can say who or where withheld (PERSONAL); a copy. */
export function withheldFields<C extends ParticipantContext>(c: C): C {
  const out: C = { ...c };
  for (const [key, rule] of PERSONAL) {
    const v = c[key];
    if (v) out[key] = withheldText(rule, v);
  }
  return out;
}

/**
 * An alert's context with the participant's identity withheld: the name becomes the stable
 * participant key (as shownKey shows it), the location, the device names and the name in a
 * leave_reason are withheld (withheldFields), and so is a group of one of them. Alerts are
 * rendered from this context, so no template (possessives, quotes, the explanation) can carry
 * the name or place.
 */
export function withheldContext(c: AlertContext): AlertContext {
  const out = withheldFields(c);
  delete out.participant;
  if (c.participantKey) out.participant = shownKey(c.participantKey);
  if (c.group && c.groupBy) out.group = withheldGroup(c.groupBy, c.group);
  return out;
}

/** Whether a group_by names a field withheld without the identity opt-in. */
export const groupWithheld = (groupBy: string): boolean => PERSONAL.some(([, r]) => r === groupBy);

/** A group value as shown without the identity opt-in (withheldFields). */
export const withheldGroup = (groupBy: string, value: string): string => withheldText(groupBy, value);
