import { personKey } from '../../normalize/identity.js';
import { contextFromRaw, participantKey } from '../../normalize/normalize.js';
import type { InstanceRef, ParticipantContext, SourceKind } from '../../normalize/sample.js';
import { valueDeeperThan } from '../../util/json-depth.js';
import { isJsonObject } from '../../util/json-object.js';
import { str, text } from '../../normalize/zoom-text.js';
import { parseTime } from '../../normalize/values.js';
import { listedNumber, type RefusedNumber } from '../../normalize/listed-id.js';

type Raw = Record<string, unknown>;

/**
 * Longest instance uuid or session id read: Zoom's are 24-40 characters; a longer one (a hostile
 * signed body) would name state files the file system refuses (ENAMETOOLONG). The event is invalid.
 */
export const MAX_INSTANCE_ID = 256;

/**
 * Deepest participant object of a QoS summary kept for the post-call report: Zoom's nest 4
 * levels; the summaries file is refused when read back past 64 (util/json-depth.ts).
 */
export const MAX_SUMMARY_DEPTH = 16;

/** The QSS events qoswatch reads, by what it does with them. */
export const QSS_EVENTS = {
  'meeting.participant_qos': 'qos',
  'webinar.participant_qos': 'qos',
  'session.user_qos': 'qos',
  'meeting.participant_data': 'context',
  'webinar.participant_data': 'context',
  'session.user_data': 'context',
  'meeting.participant_data_summary': 'context',
  'webinar.participant_data_summary': 'context',
  'session.user_data_summary': 'context',
  'meeting.participant_qos_summary': 'summary',
  'webinar.participant_qos_summary': 'summary',
  'session.user_qos_summary': 'summary',
  'meeting.participant_left': 'left',
  'webinar.participant_left': 'left',
  'session.user_left': 'left',
  'meeting.started': 'started',
  'webinar.started': 'started',
  'session.started': 'started',
  'meeting.ended': 'ended',
  'webinar.ended': 'ended',
  'session.ended': 'ended',
} as const satisfies Record<string, 'qos' | 'context' | 'summary' | 'left' | 'started' | 'ended'>;

export type QssEventName = keyof typeof QSS_EVENTS;
export const isQssEvent = (e: string): e is QssEventName => Object.hasOwn(QSS_EVENTS, e);

/** What one pushed event says, in the shapes polling produces. */
export type QssMessage =
  /** A participant object shaped as a QoS list entry (`user_qos` array), ready for normalizeParticipant. */
  /** `eventTs`: the event's `event_ts` (epoch ms, Zoom's clock when it sent it), when readable. */
  | { type: 'qos'; instance: InstanceRef; participant: Raw; eventTs?: number }
  | { type: 'context'; instance: InstanceRef; participant: string; context: ParticipantContext }
  /** A join left (`participant_left`): `person` links it to the person's other joins; `leaveTime` epoch ms. */
  | { type: 'left'; instance: InstanceRef; participant: string; person?: string; leaveTime?: number }
  /** A participant's QoS summary after the call: the participant object as Zoom sent it (qos_summary's shape). */
  | { type: 'summary'; instance: InstanceRef; participant: string; raw: Raw }
  /** The instance started or ended (`end_time`, epoch ms, when Zoom gave a readable one). */
  | { type: 'started'; instance: InstanceRef }
  | { type: 'ended'; instance: InstanceRef; endTime?: number };

function kindOf(event: string): SourceKind {
  return event.startsWith('meeting.') ? 'meeting' : event.startsWith('webinar.') ? 'webinar' : 'session';
}

/**
 * A pushed meeting's or webinar's `id`: a number as discovery reads one (normalize/listed-id.ts: past 2^53,
 * `JSON.parse` has lost its last digits, so it is `refused` and the uuid names it), a string as
 * sent (Zoom's own webinar example writes `"123456ABCDEF"`).
 */
const pushedId = (v: unknown, refused: RefusedNumber): string =>
  typeof v === 'number' ? listedNumber(v, refused) : str(v);

function instanceOf(kind: SourceKind, object: Raw, refused: RefusedNumber): InstanceRef | undefined {
  if (kind === 'session') {
    const id = str(object.session_id);
    return id && id.length <= MAX_INSTANCE_ID
      ? { kind, id, uuid: id, topic: text(object.session_name) }
      : undefined;
  }
  const uuid = str(object.uuid);
  const id = pushedId(object.id, refused) || uuid;
  return uuid && uuid.length <= MAX_INSTANCE_ID && id.length <= MAX_INSTANCE_ID
    ? { kind, id, uuid, topic: text(object.topic) }
    : undefined;
}

/**
 * QSS lists one participant's samples as `qos: [{date_time, type, details}]`, one entry per
 * stream; the Dashboard API lists them as `user_qos: [{date_time, <type>: {...}}]`, one
 * entry per minute. Grouping by `date_time` gives the polling shape, so one normalizer reads
 * both. RSSI, which QSS puts in the details, becomes the `wifi_rssi` object polling has.
 */
export function userQosFromQss(qos: unknown): Raw[] {
  if (!Array.isArray(qos)) return [];
  const byTime = new Map<string, Raw>();
  for (const item of qos as unknown[]) {
    if (!isJsonObject(item)) continue;
    const time = str(item.date_time);
    const type = str(item.type);
    if (!time || !type || type === 'date_time' || !isJsonObject(item.details)) continue;
    let entry = byTime.get(time);
    if (!entry) byTime.set(time, (entry = { date_time: time }));
    const d = item.details;
    entry[type] = d;
    if (!('wifi_rssi' in entry) && ('avg_rssi' in d || 'max_rssi' in d || 'min_rssi' in d))
      entry.wifi_rssi = { max_rssi: d.max_rssi, avg_rssi: d.avg_rssi, min_rssi: d.min_rssi };
  }
  return [...byTime.values()];
}

/**
 * The participant as a polled QoS entry would show it, so that participantKey gives a pushed
 * sample the same identity as a polled one: `user_id` is the join, `participant_user_id` the
 * account user (the Dashboard API's `id`). Video SDK users carry their id in `id`.
 */
function pollShape(kind: SourceKind, p: Raw): Raw {
  if (kind === 'session')
    return { id: str(p.id), name: str(p.name), ...(p.user_key ? { user_key: str(p.user_key) } : {}) };
  const userId = str(p.user_id) || str(p.participant_id);
  const accountId = str(p.participant_user_id) || str(p.id);
  return {
    ...(accountId ? { id: accountId, participant_user_id: accountId } : {}),
    ...(userId ? { user_id: userId } : {}),
    user_name: str(p.user_name),
    email: str(p.email),
  };
}

/**
 * Reads one verified event body. Anything unexpected (not JSON, missing objects, wrong
 * types) gives undefined: it is counted by the caller, never thrown. A meeting number it cannot
 * take is `refused` (the instance named by its uuid).
 */
export function readQss(body: unknown, refused: RefusedNumber = () => {}): QssMessage | undefined {
  if (!isJsonObject(body) || typeof body.event !== 'string' || !isQssEvent(body.event)) return undefined;
  const event = body.event;
  const payload = body.payload;
  if (!isJsonObject(payload) || !isJsonObject(payload.object)) return undefined;
  const kind = kindOf(event);
  const instance = instanceOf(kind, payload.object, refused);
  if (!instance) return undefined;
  const what = QSS_EVENTS[event];
  if (what === 'started') return { type: 'started', instance };
  if (what === 'ended') {
    const end = parseTime(str(payload.object.end_time));
    return { type: 'ended', instance, ...(Number.isFinite(end) ? { endTime: end } : {}) };
  }
  const p = kind === 'session' ? payload.object.user : payload.object.participant;
  if (!isJsonObject(p)) return undefined;
  const shaped = pollShape(kind, p);
  const key = participantKey(shaped, kind);
  if (!key) return undefined;
  if (what === 'summary')
    return valueDeeperThan(p, MAX_SUMMARY_DEPTH)
      ? undefined
      : { type: 'summary', instance, participant: key, raw: p };
  if (what === 'left') {
    const person = personKey(shaped);
    const leaveTime = parseTime(str(p.leave_time));
    return {
      type: 'left',
      instance,
      participant: key,
      ...(person ? { person } : {}),
      ...(Number.isFinite(leaveTime) ? { leaveTime } : {}),
    };
  }
  if (what === 'context') {
    const data = Array.isArray(p.data) ? (p.data as unknown[]).find(isJsonObject) : undefined;
    return { type: 'context', instance, participant: key, context: data ? contextFromRaw(data) : {} };
  }
  const eventTs = body.event_ts;
  return {
    type: 'qos',
    instance,
    // A `qos` that is no list is handed on as it is: normalize counts it (samples_not_list).
    participant: { ...shaped, user_qos: Array.isArray(p.qos) ? userQosFromQss(p.qos) : p.qos },
    ...(typeof eventTs === 'number' && Number.isFinite(eventTs) ? { eventTs } : {}),
  };
}
