import { rowsOf, type FieldDef } from './catalog.js';
import { contextFromRaw, participantRef, readGroup } from './normalize.js';
import { noKeyReason } from './identity.js';
import { str, text } from './zoom-text.js';
import { isJsonObject } from '../util/json-object.js';
import type {
  CpuMetrics,
  CpuPressureLevels,
  InstanceRef,
  ParticipantContext,
  ParticipantRef,
  QosSample,
  SourceKind,
} from './sample.js';
import type { NormalizeStats } from './stats.js';
import { STREAM_BY_NAME } from './streams.js';
import { parseTime } from './values.js';

/**
 * Zoom's other QoS shape: a list of `{date_time?, type, details}` items, one per stream (or
 * `cpu_usage`), as QoS Subscription webhooks and `qos_summary` answers write it. The same
 * catalog rows read `details` as read the stream objects of a `user_qos` entry.
 */

type Raw = Record<string, unknown>;
const nonEmpty = <T extends object>(v: T): T | undefined => (Object.keys(v).length ? v : undefined);

/** Summary values of one field: Zoom's min, avg and max over the whole stay. */
export interface Stat {
  min?: number | string;
  avg?: number | string;
  max?: number | string;
}

/** A participant's `qos_summary` (past meetings; paid QSS add-on): per stream, per field, min/avg/max. */
export interface QosSummary {
  participant: ParticipantRef;
  streams: Record<string, Record<string, Stat>>;
  cpu?: CpuMetrics;
  cpuPressure?: CpuPressureLevels;
}

/** `details` of a webhook QoS item as samples: one per `date_time`, streams and CPU merged. */
export function normalizeQosItems(
  instance: InstanceRef,
  raw: unknown,
  context: ParticipantContext,
  stats: NormalizeStats,
): QosSample[] {
  if (!isJsonObject(raw)) {
    stats.invalid('not_object');
    return [];
  }
  const participant = participantRef(raw, instance.kind);
  const byTime = new Map<number, QosSample>();
  if (raw.qos !== undefined && raw.qos !== null && !Array.isArray(raw.qos)) stats.invalid('samples_not_list');
  for (const item of Array.isArray(raw.qos) ? raw.qos : []) {
    const time = isJsonObject(item) && typeof item.date_time === 'string' ? parseTime(item.date_time) : NaN;
    if (!isJsonObject(item) || !Number.isFinite(time) || !isJsonObject(item.details) || !participant.key) {
      stats.invalid(
        !participant.key
          ? noKeyReason(raw, instance.kind)
          : !isJsonObject(item) || !Number.isFinite(time)
            ? 'no_date_time'
            : 'no_details',
      );
      continue;
    }
    let sample = byTime.get(time);
    if (!sample) {
      sample = { instance, participant, context: { ...contextFromRaw(raw), ...context }, time, streams: {} };
      byTime.set(time, sample);
    }
    const type = str(item.type);
    const details = item.details;
    if (type === 'cpu_usage') sample.cpu = { ...sample.cpu, ...readGroup('cpu', details, stats) };
    else if (STREAM_BY_NAME.has(type)) {
      const m = readGroup('stream', details, stats);
      if (Object.keys(m).length) sample.streams[type] = m;
    } else stats.unknownStream(type);
    // Wi-Fi RSSI and CPU pressure ride along in a stream's details.
    const wifi = nonEmpty(readGroup('wifi', details, stats));
    if (wifi) sample.wifi = wifi;
    const pressure = nonEmpty(readGroup('cpuPressure', details, stats));
    if (pressure) sample.cpuPressure = pressure;
  }
  const out = [...byTime.values()].sort((a, b) => a.time - b.time);
  stats.samplesParsed += out.length;
  return out;
}

function summaryStats(rows: readonly FieldDef[], details: Raw, stats: NormalizeStats): Record<string, Stat> {
  const out: Record<string, Stat> = {};
  for (const row of rows) {
    const stat: Stat = {};
    for (const which of ['min', 'avg', 'max'] as const) {
      const field = row.summary?.[which];
      if (!field || !(field in details)) continue;
      const raw = details[field];
      const v = row.parse(raw);
      if (v === undefined) stats.missing(field, raw);
      else {
        stat[which] = v;
        if (typeof raw === 'number') stats.bareNumber(field, raw, row.parse);
      }
    }
    if (Object.keys(stat).length) out[row.key] = stat;
  }
  return out;
}

/** One participant (or Video SDK user) of a `qos_summary` answer or summary webhook. */
export function normalizeSummary(
  raw: unknown,
  kind: SourceKind,
  stats: NormalizeStats,
): QosSummary | undefined {
  if (!isJsonObject(raw)) {
    stats.invalid('not_object');
    return undefined;
  }
  const summary: QosSummary = { participant: participantRef(raw, kind), streams: {} };
  const streamRows = rowsOf('stream');
  for (const item of Array.isArray(raw.qos) ? raw.qos : []) {
    if (!isJsonObject(item) || !isJsonObject(item.details)) continue;
    const type = str(item.type);
    const details = item.details;
    if (STREAM_BY_NAME.has(type)) {
      const s = summaryStats(streamRows, details, stats);
      if (Object.keys(s).length) summary.streams[type] = s;
    } else if (type !== 'cpu_usage') stats.unknownStream(type);
    // CPU fields and CPU pressure appear in any item's details.
    const cpu = nonEmpty(readGroup('cpu', details, stats));
    if (cpu) summary.cpu = { ...summary.cpu, ...cpu };
    const pressure = nonEmpty(readGroup('cpuPressure', details, stats));
    if (pressure) summary.cpuPressure = pressure;
  }
  stats.samplesParsed++;
  return summary;
}

const KIND_OF_EVENT: Record<string, SourceKind> = {
  meeting: 'meeting',
  webinar: 'webinar',
  session: 'session',
};

/** What one QoS Subscription webhook event says, normalized. */
export interface WebhookQos {
  event: string;
  instance: InstanceRef;
  /** `*_qos` events. */
  samples: QosSample[];
  /** `*_qos_summary` events. */
  summary?: QosSummary;
  /** `*_data` and `*_data_summary` events: the participant's context. */
  participant?: ParticipantRef;
  context?: ParticipantContext;
}

/** A QoS Subscription event (`meeting.participant_qos`, `session.user_data`, ...); undefined when it is none. */
export function normalizeWebhook(body: unknown, stats: NormalizeStats): WebhookQos | undefined {
  if (!isJsonObject(body) || !isJsonObject(body.payload) || !isJsonObject(body.payload.object))
    return undefined;
  const event = str(body.event);
  const kind = KIND_OF_EVENT[event.split('.')[0] ?? ''];
  const object = body.payload.object;
  const who = object.participant ?? object.user;
  if (!kind || !isJsonObject(who)) return undefined;
  const uuid = str(object.uuid) || str(object.session_id);
  const instance: InstanceRef = {
    kind,
    id: str(object.id) || uuid,
    uuid,
    topic: text(object.topic) || text(object.session_name),
  };
  const out: WebhookQos = { event, instance, samples: [] };
  if (/_data(_summary)?$/.test(event)) {
    const data = Array.isArray(who.data) ? who.data.find(isJsonObject) : undefined;
    out.participant = participantRef(who, kind);
    out.context = data ? contextFromRaw(data) : {};
  } else if (event.endsWith('_summary')) {
    const s = normalizeSummary(who, kind, stats);
    if (s) out.summary = s;
  } else out.samples = normalizeQosItems(instance, who, {}, stats);
  return out;
}
