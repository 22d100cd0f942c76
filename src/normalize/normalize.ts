import { rowsOf, type FieldDef, type Group, type GroupValues } from './catalog.js';
import { joinKey, noKeyReason, personKey } from './identity.js';
import type { InstanceRef, ParticipantContext, ParticipantRef, QosSample, SourceKind } from './sample.js';
import { NumbersWriter, SAMPLE_GROUP_AT, STREAM_INDEX } from './sample-numbers.js';
import type { NormalizeStats } from './stats.js';
import { parseTime } from './values.js';
import { isJsonObject } from '../util/json-object.js';
import { str, text } from './zoom-text.js';

type Raw = Record<string, unknown>;

/**
 * How one group's rows are read from a Zoom object, as flat lists read with indexed loops (a poll
 * reads hundreds of thousands of values): each Zoom field name (one field can feed several rows:
 * `resolution`), and for field `f` the rows `from[f]` to `from[f + 1]`, each with its index among
 * its group's rows (where a sample's numbers hold it: sample-numbers.ts).
 */
interface GroupTable {
  readonly fields: readonly string[];
  readonly from: readonly number[];
  readonly rows: readonly FieldDef[];
  readonly index: readonly number[];
}

function groupTable(group: Group): GroupTable {
  const byField = new Map<string, [FieldDef, number][]>();
  rowsOf(group).forEach((f, i) => byField.set(f.zoom, [...(byField.get(f.zoom) ?? []), [f, i]]));
  const table = { fields: [...byField.keys()], from: [0], rows: [] as FieldDef[], index: [] as number[] };
  for (const rows of byField.values()) {
    for (const [row, i] of rows) {
      table.rows.push(row);
      table.index.push(i);
    }
    table.from.push(table.rows.length);
  }
  return table;
}

const TABLES: Readonly<Record<Group, GroupTable>> = {
  stream: groupTable('stream'),
  cpu: groupTable('cpu'),
  wifi: groupTable('wifi'),
  cpuPressure: groupTable('cpuPressure'),
  context: groupTable('context'),
};

/** The writer of every sample's numbers (one sample at a time). */
const numbers = new NumbersWriter();

/**
 * Reads the catalog rows of one group from a Zoom object. A field that is present but yields
 * nothing usable is counted missing once (not once per row); absent fields are not counted.
 */
export function readGroup<G extends Group>(group: G, raw: Raw, stats?: NormalizeStats): GroupValues<G> {
  return (readSome(TABLES[group], raw, stats, -1) ?? {}) as GroupValues<G>;
}

/**
 * readGroup, or undefined when no row gave a value (no object made for it). With `at` >= 0, each
 * value is also stored in the sample's numbers being written, in the block or group starting there.
 */
function readSome(
  t: GroupTable,
  raw: Raw,
  stats: NormalizeStats | undefined,
  at: number,
): Record<string, number | string> | undefined {
  let out: Record<string, number | string> | undefined;
  const { fields, from, rows, index } = t;
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f]!;
    const value = raw[field];
    if (value === undefined && !(field in raw)) continue;
    let any = false;
    for (let r = from[f]!; r < from[f + 1]!; r++) {
      const row = rows[r]!;
      const v = row.parse(value);
      if (v === undefined) continue;
      (out ??= {})[row.key] = v;
      if (at >= 0) numbers.set(at + index[r]!, row, v);
      any = true;
    }
    if (!any) stats?.missing(field, value);
    else if (typeof value === 'number') stats?.bareNumber(field, value, rows[from[f]!]!.parse);
  }
  return out;
}

/**
 * A group Zoom writes either as an object of fields or, in older answers, as one bare value
 * (`wifi_rssi: -60`, `cpu_pressure_level: "serious"`): a bare value is the min, avg and max.
 * Stored in the sample's numbers from `at`.
 */
function readObjectOrBare(
  group: 'wifi' | 'cpuPressure',
  field: string,
  raw: unknown,
  stats: NormalizeStats,
  at: number,
): Record<string, number | string> | undefined {
  if (isJsonObject(raw)) return readSome(TABLES[group], raw, stats, at);
  const rows = rowsOf(group);
  const v = rows[0]!.parse(raw);
  if (v === undefined) {
    stats.missing(field, raw);
    return undefined;
  }
  rows.forEach((r, i) => numbers.set(at + i, r, v));
  return Object.fromEntries(rows.map((r) => [r.key, v]));
}

const WIFI_ROWS = rowsOf('wifi');
const WIFI_MIN = WIFI_ROWS.findIndex((r) => r.key === 'min');
const WIFI_MAX = WIFI_ROWS.findIndex((r) => r.key === 'max');

/**
 * Zoom's min_rssi and max_rssi come in either order: its OpenAPI example and every endpoint
 * sample have `min_rssi: -35, max_rssi: -75` (its "min" the stronger signal), the QSS webhook
 * sample `min_rssi: -56, max_rssi: -44`. wifi_rssi_min is the lower (weaker) of the two and
 * wifi_rssi_max the higher, whichever name Zoom gave each: a rule `wifi_rssi_min below -70dBm`
 * never fired on the endpoints' shape. Also in the sample's numbers, from `at`.
 */
function lowerFirst(wifi: Record<string, number | string>, at: number): Record<string, number | string> {
  const { min, max } = wifi;
  if (typeof min !== 'number' || typeof max !== 'number' || min <= max) return wifi;
  numbers.set(at + WIFI_MIN, WIFI_ROWS[WIFI_MIN]!, max);
  numbers.set(at + WIFI_MAX, WIFI_ROWS[WIFI_MAX]!, min);
  return { ...wifi, min: max, max: min };
}

const NON_STREAM_KEYS = new Set(['date_time', 'cpu_usage', 'wifi_rssi', 'cpu_pressure_level']);

/** The key of one join (`user_id`; Video SDK: `id`): see identity.ts. Empty when there is none. */
export const participantKey = joinKey;

export function participantRef(raw: Raw, kind: SourceKind, join = joinKey(raw, kind)): ParticipantRef {
  const person = personKey(raw);
  return {
    key: join,
    join,
    ...(person ? { person } : {}),
    name: text(raw.user_name) || text(raw.name),
    email: text(raw.email),
    ip: str(raw.ip_address),
  };
}

/** The context fields (catalog `context` rows) an entry of a QoS answer or of the participants list carries. */
export function contextFromRaw(raw: Raw): ParticipantContext {
  return readGroup('context', raw);
}

/**
 * Reads one `user_qos` entry's streams, CPU, Wi-Fi and CPU pressure into `sample`, and gives it
 * its numbers (sample-numbers.ts), written as the values are read.
 */
function readEntry(sample: QosSample, entry: Raw, stats: NormalizeStats): void {
  const w = numbers;
  w.begin();
  // Keys read in place (no entries or key arrays): a poll normalizes thousands of entries.
  for (const name in entry) {
    const value = entry[name];
    const index = STREAM_INDEX[name];
    if (index === undefined) {
      if (isJsonObject(value) && !NON_STREAM_KEYS.has(name)) stats.unknownStream(name);
      continue;
    }
    if (!isJsonObject(value)) {
      stats.notAnObject(name, value);
      continue;
    }
    const metrics = readSome(TABLES.stream, value, stats, w.stream(index));
    if (metrics) sample.streams[name] = metrics;
    else w.dropStream();
  }
  if (isJsonObject(entry.cpu_usage)) {
    const cpu = readSome(TABLES.cpu, entry.cpu_usage, stats, 1 + SAMPLE_GROUP_AT.cpu);
    if (cpu) sample.cpu = cpu;
  }
  if ('wifi_rssi' in entry) {
    const wifi = readObjectOrBare('wifi', 'wifi_rssi', entry.wifi_rssi, stats, 1 + SAMPLE_GROUP_AT.wifi);
    if (wifi) sample.wifi = lowerFirst(wifi, 1 + SAMPLE_GROUP_AT.wifi);
  }
  if ('cpu_pressure_level' in entry) {
    const field = 'cpu_pressure_level';
    const p = readObjectOrBare('cpuPressure', field, entry[field], stats, 1 + SAMPLE_GROUP_AT.cpuPressure);
    if (p) sample.cpuPressure = p;
  }
  w.attachTo(sample);
}

/**
 * Turns one participant object of a QoS answer (meetings, webinars or Video SDK) into
 * samples, one per `user_qos` entry. Unknown stream types and fields are ignored; a sample
 * without a usable `date_time` is skipped and counted. `seenUpTo` (the de-duplicator's) gives,
 * per join, the newest sample time already handed on: entries up to it are repeats of earlier
 * answers and are skipped before their values are read. `join`: the entry's join key when the
 * caller worked it out already (a poll does, once per entry).
 */
export function normalizeParticipant(
  instance: InstanceRef,
  raw: unknown,
  context: ParticipantContext,
  stats: NormalizeStats,
  seenUpTo?: (join: string) => number,
  join?: string,
): QosSample[] {
  if (!isJsonObject(raw)) {
    stats.invalid('not_object');
    return [];
  }
  const key = join ?? participantKey(raw, instance.kind);
  if (!key) {
    stats.invalid(noKeyReason(raw, instance.kind));
    return [];
  }
  const entries = Array.isArray(raw.user_qos) ? raw.user_qos : [];
  if (raw.user_qos !== undefined && raw.user_qos !== null && entries !== raw.user_qos)
    stats.invalid('samples_not_list');
  const upTo = seenUpTo?.(key) ?? -Infinity;
  // Who and the context are read at the first new entry: a participant whose entries were all
  // seen (no new minute since the last poll) costs only their times.
  let participant: ParticipantRef | undefined;
  let ctx: ParticipantContext | undefined;
  const out: QosSample[] = [];
  for (const entry of entries) {
    const time =
      isJsonObject(entry) && typeof entry.date_time === 'string' ? parseTime(entry.date_time) : NaN;
    if (!isJsonObject(entry) || !Number.isFinite(time)) {
      stats.invalid('no_date_time');
      continue;
    }
    if (time <= upTo) {
      stats.samplesRepeated++;
      continue;
    }
    participant ??= participantRef(raw, instance.kind, key);
    // The entry's own context first (newer answers carry it); the participants list fills gaps.
    ctx ??= { ...context, ...contextFromRaw(raw) };
    const sample: QosSample = { instance, participant, context: ctx, time, streams: {} };
    readEntry(sample, entry, stats);
    stats.samplesParsed++;
    out.push(sample);
  }
  return out;
}
