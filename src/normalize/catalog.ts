/* eslint-disable max-lines -- the field catalog is one table, a row per Zoom field (docs/architecture.md) */
import {
  CPU_PRESSURE_LEVELS,
  parseBitrate,
  parseCpuPressure,
  parseDbm,
  parseFlag,
  parseFrameRate,
  parseHeight,
  parseList,
  parseNumber,
  parseQuality,
  parseRatio,
  parseSeconds,
  parseText,
  parseWidth,
  QUALITY_LEVELS,
} from './values.js';

/**
 * Every Zoom field qoswatch reads, declared once. Normalization, the rule compiler (metric
 * names, units, filters, group_by, template fields), rule tests, the Prometheus export and the
 * docs tables are all derived from this table: adding a field is adding one row.
 *
 * Where a value lands in a normalized sample is its `group`:
 * - `stream`: in each stream object (`audio_input`, `video_device_from_crc`, ...) -> `streams.<name>.<key>`
 * - `cpu`: in the `cpu_usage` object -> `cpu.<key>`
 * - `wifi`: in the `wifi_rssi` object -> `wifi_rssi.<key>`
 * - `cpuPressure`: in the `cpu_pressure_level` object (or a bare word) -> `cpu_pressure.<key>`
 * - `context`: on the participant itself (QoS entry or participants list) -> `context.<key>`
 */
export type Group = 'stream' | 'cpu' | 'wifi' | 'cpuPressure' | 'context';

/**
 * Where Zoom writes the field: which answers carry it. `qos_entry` and `participants` are the
 * meeting and webinar QoS entries (newer shape) and participants list; `session_entry` and
 * `session_users` the same for Video SDK sessions. Which of them a live poll reads is
 * `liveSource` below.
 */
export type Appearance =
  'qos_entry' | 'stream' | 'participants' | 'session_entry' | 'session_users' | 'summary' | 'webhook';

/** Each answer in words (docs tables, rule errors). */
export const APPEARANCE_TEXT: Readonly<Record<Appearance, string>> = {
  qos_entry: 'QoS entry',
  stream: 'stream object',
  participants: 'participants list',
  session_entry: 'Video SDK QoS entry',
  session_users: 'Video SDK users list',
  summary: 'QoS summary',
  webhook: 'QoS webhook',
};

/**
 * How often a field that only the participants list gives changes, which sets how often the
 * list is read again for it (docs/polling.md): `rarely` (role, devices, waiting-room status:
 * read when a join first appears, then every `poll.context_refresh`), `with_quality` (Zoom's
 * quality verdicts: every `poll.verdict_refresh`), `on_leave` (`leave_reason`: once after a
 * join's QoS entry shows it left).
 */
export type Changes = 'rarely' | 'with_quality' | 'on_leave';

/** The field's value in qoswatch, in base units. */
export type BaseUnit =
  | 'seconds'
  | 'ratio'
  | 'bits_per_second'
  | 'frames_per_second'
  | 'pixels'
  | 'dbm'
  | 'level'
  | 'score'
  | 'text'
  | 'flag'
  | 'list';

export interface FieldDef {
  /** Zoom's name of the field. Several rows may read one field (`resolution`: width and height). */
  readonly zoom: string;
  readonly group: Group;
  /** The name in a normalized sample (`qoswatch once` output). Unique within the group. */
  readonly key: string;
  readonly appears: readonly Appearance[];
  /** Zoom's value to base units; undefined when empty or not understood (never 0 for missing). */
  readonly parse: (value: unknown) => number | string | undefined;
  readonly unit: BaseUnit;
  /** For `level` fields: the words, from best to worst; the rule value is the word's index. */
  readonly levels?: readonly string[];
  /**
   * Measurements: the rule metric name. Context: the name in rule filters, `group_by`,
   * templates and rule-test `context`.
   */
  readonly rule: string;
  /** Older names rules may still use for the same metric. */
  readonly aliases?: readonly string[];
  /** Measurements exported to Prometheus (per instance, and per participant when opted in). */
  readonly prom?: { readonly name: string; readonly help: string; readonly scale?: number };
  /** In `qos_summary` answers and summary webhooks: Zoom's names of the min / avg / max of this field. */
  readonly summary?: { readonly min?: string; readonly avg?: string; readonly max?: string };
  /** A threshold example for rule error messages. */
  readonly example?: string;
  /** What it means, for the docs. */
  readonly about: string;
  /** Context only the participants list gives: how often it changes (default `rarely`). */
  readonly changes?: Changes;
}

/** How CPU pressure levels are exported: their position, 0 best. */
const PRESSURE_SCALE = CPU_PRESSURE_LEVELS.map((l, i) => `${i} ${l}`).join(', ');

const STREAM: readonly Appearance[] = ['stream', 'summary', 'webhook'];
/** Context in every live answer (both shapes' lists, newer QoS entries, Video SDK users). */
const EVERYWHERE: readonly Appearance[] = [
  'qos_entry',
  'participants',
  'session_entry',
  'session_users',
  'webhook',
];
/** Context of the client software, in newer QoS entries, lists and Video SDK answers. */
const CLIENT: readonly Appearance[] = ['qos_entry', 'participants', 'session_entry', 'session_users'];
/** Devices: in the meeting and webinar list, and in Video SDK answers. */
const DEVICES: readonly Appearance[] = ['participants', 'session_entry', 'session_users'];
/** Zoom's quality verdicts per participant: only the lists. */
const VERDICT: readonly Appearance[] = ['participants', 'session_users'];
const LIST_ONLY: readonly Appearance[] = ['participants'];
const QUALITY = QUALITY_LEVELS.join(', ');

export const CATALOG = [
  // --- Stream objects: audio_input, video_output, as_device_from_crc, ... ---
  {
    zoom: 'bitrate',
    group: 'stream',
    key: 'bitrate',
    appears: STREAM,
    parse: parseBitrate,
    unit: 'bits_per_second',
    rule: 'bitrate',
    prom: {
      name: 'qoswatch_stream_bitrate_bytes_per_second',
      help: 'Bitrate of a stream, in bytes per second (Zoom gives bits per second; bits / 8).',
      scale: 1 / 8,
    },
    summary: { min: 'min_bitrate', avg: 'avg_bitrate', max: 'max_bitrate' },
    example: '500kbps',
    about: 'bits per second carried by the stream (Zoom writes kbps)',
  },
  {
    zoom: 'latency',
    group: 'stream',
    key: 'latency',
    appears: STREAM,
    parse: parseSeconds,
    unit: 'seconds',
    rule: 'latency',
    prom: {
      name: 'qoswatch_stream_latency_seconds',
      help: 'Latency of a stream (Zoom: 5 s average or maximum, application processing included).',
    },
    summary: { min: 'min_latency', avg: 'avg_latency', max: 'max_latency' },
    example: '300ms',
    about: 'time a packet takes from one end to the other, processing included (Zoom writes ms)',
  },
  {
    zoom: 'jitter',
    group: 'stream',
    key: 'jitter',
    appears: STREAM,
    parse: parseSeconds,
    unit: 'seconds',
    rule: 'jitter',
    prom: { name: 'qoswatch_stream_jitter_seconds', help: 'Jitter of a stream (variation of packet delay).' },
    summary: { min: 'min_jitter', avg: 'avg_jitter', max: 'max_jitter' },
    example: '40ms',
    about: 'variation in the delay of received packets (Zoom writes ms)',
  },
  {
    zoom: 'avg_loss',
    group: 'stream',
    key: 'avgLoss',
    appears: STREAM,
    parse: parseRatio,
    unit: 'ratio',
    rule: 'avg_loss',
    prom: { name: 'qoswatch_stream_packet_loss_ratio', help: 'Average packet loss of a stream (0 to 1).' },
    summary: { min: 'min_loss', avg: 'avg_loss' },
    example: '5%',
    about: 'average share of packets lost (Zoom writes %)',
  },
  {
    zoom: 'max_loss',
    group: 'stream',
    key: 'maxLoss',
    appears: STREAM,
    parse: parseRatio,
    unit: 'ratio',
    rule: 'max_loss',
    prom: {
      name: 'qoswatch_stream_max_packet_loss_ratio',
      help: 'Maximum packet loss of a stream within the sample (0 to 1).',
    },
    summary: { max: 'max_loss' },
    example: '10%',
    about: 'highest share of packets lost within the sample (Zoom writes %)',
  },
  {
    zoom: 'frame_rate',
    group: 'stream',
    key: 'frameRate',
    appears: STREAM,
    parse: parseFrameRate,
    unit: 'frames_per_second',
    rule: 'frame_rate',
    prom: {
      name: 'qoswatch_stream_frame_rate_per_second',
      help: 'Frames per second of a video or share stream.',
    },
    summary: { min: 'min_frame_rate', avg: 'avg_frame_rate', max: 'max_frame_rate' },
    example: '10fps',
    about: 'frames per second (video and share; Zoom sends up to 30)',
  },
  {
    zoom: 'resolution',
    group: 'stream',
    key: 'width',
    appears: STREAM,
    parse: parseWidth,
    unit: 'pixels',
    rule: 'resolution_width',
    prom: {
      name: 'qoswatch_stream_resolution_width_pixels',
      help: 'Picture width of a video or share stream, in pixels.',
    },
    summary: { avg: 'resolution' },
    example: '640px',
    about: 'picture width (video and share; from "1280*720"; "0*0" is no picture: missing)',
  },
  {
    zoom: 'resolution',
    group: 'stream',
    key: 'height',
    appears: STREAM,
    parse: parseHeight,
    unit: 'pixels',
    rule: 'resolution_height',
    aliases: ['resolution'],
    prom: {
      name: 'qoswatch_stream_resolution_height_pixels',
      help: 'Picture height of a video or share stream, in pixels.',
    },
    summary: { avg: 'resolution' },
    example: '360p',
    about: 'picture height (video and share; from "1280*720"; "0*0" is no picture: missing)',
  },
  {
    zoom: 'quality',
    group: 'stream',
    key: 'quality',
    appears: ['webhook'],
    parse: parseQuality,
    unit: 'level',
    levels: QUALITY_LEVELS,
    rule: 'quality',
    example: 'poor',
    about: `Zoom's verdict on the stream: ${QUALITY_LEVELS.join(', ')} (QoS webhooks)`,
  },
  {
    zoom: 'quality_score',
    group: 'stream',
    key: 'qualityScore',
    appears: ['webhook'],
    parse: parseNumber,
    unit: 'score',
    rule: 'quality_score',
    prom: { name: 'qoswatch_stream_quality_score', help: "Zoom's quality score of a stream (QoS webhooks)." },
    example: '3.5',
    about: "Zoom's quality score of the stream, higher is better (QoS webhooks)",
  },

  // --- cpu_usage ---
  {
    zoom: 'zoom_min_cpu_usage',
    group: 'cpu',
    key: 'zoomMin',
    appears: ['qos_entry', 'summary', 'webhook'],
    parse: parseRatio,
    unit: 'ratio',
    rule: 'cpu_zoom_min',
    prom: {
      name: 'qoswatch_cpu_usage_min_ratio',
      help: "Zoom's minimum CPU use (0 to 1) on a participant's machine.",
    },
    example: '90%',
    about: "Zoom's minimum share of the machine's CPU",
  },
  {
    zoom: 'zoom_avg_cpu_usage',
    group: 'cpu',
    key: 'zoomAvg',
    appears: ['qos_entry', 'summary', 'webhook'],
    parse: parseRatio,
    unit: 'ratio',
    rule: 'cpu_zoom_avg',
    prom: {
      name: 'qoswatch_cpu_usage_ratio',
      help: "Zoom's average CPU use (0 to 1) on a participant's machine.",
    },
    example: '90%',
    about: "Zoom's average share of the machine's CPU",
  },
  {
    zoom: 'zoom_max_cpu_usage',
    group: 'cpu',
    key: 'zoomMax',
    appears: ['qos_entry', 'summary', 'webhook'],
    parse: parseRatio,
    unit: 'ratio',
    rule: 'cpu_zoom_max',
    prom: {
      name: 'qoswatch_cpu_usage_max_ratio',
      help: "Zoom's maximum CPU use (0 to 1) on a participant's machine.",
    },
    example: '90%',
    about: "Zoom's highest share of the machine's CPU",
  },
  {
    zoom: 'system_max_cpu_usage',
    group: 'cpu',
    key: 'systemMax',
    appears: ['qos_entry', 'summary', 'webhook'],
    parse: parseRatio,
    unit: 'ratio',
    rule: 'cpu_system_max',
    prom: {
      name: 'qoswatch_cpu_system_usage_max_ratio',
      help: "The whole system's maximum CPU use (0 to 1) on a participant's machine.",
    },
    example: '95%',
    about: "the whole machine's highest CPU use, Zoom and everything else",
  },

  // --- wifi_rssi ---
  {
    zoom: 'min_rssi',
    group: 'wifi',
    key: 'min',
    appears: ['qos_entry', 'webhook'],
    parse: parseDbm,
    unit: 'dbm',
    rule: 'wifi_rssi_min',
    prom: {
      name: 'qoswatch_wifi_rssi_min_dbm',
      help: 'Lowest Wi-Fi signal strength (RSSI) of a participant, dBm.',
    },
    example: '-75dBm',
    about:
      'lowest Wi-Fi signal strength (RSSI) within the sample: the lower of min_rssi and max_rssi, which Zoom gives in either order',
  },
  {
    zoom: 'avg_rssi',
    group: 'wifi',
    key: 'avg',
    appears: ['qos_entry', 'webhook'],
    parse: parseDbm,
    unit: 'dbm',
    rule: 'wifi_rssi',
    prom: {
      name: 'qoswatch_wifi_rssi_dbm',
      help: 'Average Wi-Fi signal strength (RSSI) of a participant, dBm.',
    },
    example: '-70dBm',
    about: 'average Wi-Fi signal strength (RSSI)',
  },
  {
    zoom: 'max_rssi',
    group: 'wifi',
    key: 'max',
    appears: ['qos_entry', 'webhook'],
    parse: parseDbm,
    unit: 'dbm',
    rule: 'wifi_rssi_max',
    prom: {
      name: 'qoswatch_wifi_rssi_max_dbm',
      help: 'Highest Wi-Fi signal strength (RSSI) of a participant, dBm.',
    },
    example: '-65dBm',
    about: 'highest Wi-Fi signal strength (RSSI) within the sample: the higher of min_rssi and max_rssi',
  },

  // --- cpu_pressure_level: an object of three words, or (older clients) one word ---
  {
    zoom: 'system_min_cpu_pressure_level',
    group: 'cpuPressure',
    key: 'min',
    appears: ['qos_entry', 'summary'],
    parse: parseCpuPressure,
    unit: 'level',
    levels: CPU_PRESSURE_LEVELS,
    rule: 'cpu_pressure_min',
    prom: {
      name: 'qoswatch_cpu_pressure_min_level',
      help: `Lowest system CPU pressure of a participant's machine: ${PRESSURE_SCALE}.`,
    },
    example: 'serious',
    about: `lowest system CPU pressure: ${CPU_PRESSURE_LEVELS.join(', ')}`,
  },
  {
    zoom: 'system_avg_cpu_pressure_level',
    group: 'cpuPressure',
    key: 'avg',
    appears: ['qos_entry', 'summary'],
    parse: parseCpuPressure,
    unit: 'level',
    levels: CPU_PRESSURE_LEVELS,
    rule: 'cpu_pressure',
    prom: {
      name: 'qoswatch_cpu_pressure_level',
      help: `Average system CPU pressure of a participant's machine: ${PRESSURE_SCALE}.`,
    },
    example: 'serious',
    about: `average system CPU pressure (a bare word is taken as min, avg and max): ${CPU_PRESSURE_LEVELS.join(', ')}`,
  },
  {
    zoom: 'system_max_cpu_pressure_level',
    group: 'cpuPressure',
    key: 'max',
    appears: ['qos_entry', 'summary'],
    parse: parseCpuPressure,
    unit: 'level',
    levels: CPU_PRESSURE_LEVELS,
    rule: 'cpu_pressure_max',
    prom: {
      name: 'qoswatch_cpu_pressure_max_level',
      help: `Highest system CPU pressure of a participant's machine: ${PRESSURE_SCALE}.`,
    },
    example: 'serious',
    about: `highest system CPU pressure: ${CPU_PRESSURE_LEVELS.join(', ')}`,
  },

  // --- Context: on the participant (QoS entry in newer answers, participants list) ---
  ctx('network_type', 'networkType', EVERYWHERE, 'network type: Wired, Wifi, PPP, Cellular, Others'),
  ctx('data_center', 'dataCenter', EVERYWHERE, 'the data center the participant is connected to'),
  ctx(
    'full_data_center',
    'fullDataCenter',
    ['qos_entry', 'participants', 'webhook'],
    'every data center and gateway on the path (HT, CRC, RWG), ";"-separated',
  ),
  ctx('connection_type', 'connectionType', EVERYWHERE, 'connection type (UDP, TCP, P2P, SSL...)'),
  ctx(
    'video_connection_type',
    'videoConnectionType',
    ['qos_entry', 'participants'],
    'connection type of video',
  ),
  ctx(
    'as_connection_type',
    'shareConnectionType',
    ['qos_entry', 'participants'],
    'connection type of screen share',
    'share_connection_type',
  ),
  ctx('location', 'location', EVERYWHERE, 'where the participant is, as Zoom locates them (city, country)'),
  ctx('device', 'device', EVERYWHERE, 'kind of device: Phone, H.323/SIP, Windows, Mac, iOS, Android...'),
  ctx(
    'version',
    'version',
    ['qos_entry', 'participants', 'webhook'],
    'Zoom client version',
    'client_version',
  ),
  ctx('client', 'client', [...CLIENT, 'webhook'], 'client kind and version, e.g. "Web Meeting SDK 2.18"'),
  ctx('os', 'os', CLIENT, 'operating system'),
  ctx('os_version', 'osVersion', CLIENT, 'operating system version'),
  ctx('browser_name', 'browser', CLIENT, 'browser of a web-client participant', 'browser'),
  ctx('browser_version', 'browserVersion', CLIENT, 'browser version'),
  ctx('microphone', 'microphone', DEVICES, 'microphone in use (empty for external users)'),
  ctx('speaker', 'speaker', DEVICES, 'speaker in use (empty for external users)'),
  ctx('camera', 'camera', DEVICES, 'camera in use (empty for external users)'),
  ctx('health', 'health', ['qos_entry'], "Zoom's own verdict on the participant, e.g. Warning"),
  {
    ...ctx(
      'issue_list',
      'issueList',
      ['qos_entry'],
      'Zoom\'s list of what is wrong, e.g. audio; joined with ", "',
    ),
    parse: parseList,
    unit: 'list',
  },
  {
    ...ctx('audio_quality', 'audioQuality', VERDICT, `Zoom's audio quality score: ${QUALITY}`),
    changes: 'with_quality',
  },
  {
    ...ctx('video_quality', 'videoQuality', VERDICT, `Zoom's video quality score: ${QUALITY}`),
    changes: 'with_quality',
  },
  {
    ...ctx(
      'screen_share_quality',
      'screenShareQuality',
      VERDICT,
      `Zoom's screen share quality score: ${QUALITY}`,
    ),
    changes: 'with_quality',
  },
  {
    ...ctx('leave_reason', 'leaveReason', LIST_ONLY, 'why the participant left, as Zoom words it'),
    changes: 'on_leave',
  },
  ctx('role', 'role', LIST_ONLY, 'host, attendee or panelist'),
  ctx('status', 'status', LIST_ONLY, 'in_meeting, or in_waiting_room'),
  flag('share_application', 'shareApplication', 'whether the participant shared an iPhone/iPad app'),
  flag('share_desktop', 'shareDesktop', 'whether the participant shared their desktop'),
  flag('share_whiteboard', 'shareWhiteboard', 'whether the participant shared a whiteboard'),
  flag('recording', 'recording', 'whether the participant recorded'),
] as const satisfies readonly FieldDef[];

/** A context row: text, in filters, group_by and templates under `rule` (default: Zoom's name). */
interface ContextRow<Z extends string, K extends string, R extends string> {
  zoom: Z;
  group: 'context';
  key: K;
  appears: readonly Appearance[];
  parse: (v: unknown) => string | undefined;
  unit: 'text' | 'list' | 'flag';
  rule: R;
  about: string;
}

function ctx<Z extends string, K extends string>(
  zoom: Z,
  key: K,
  appears: readonly Appearance[],
  about: string,
): ContextRow<Z, K, Z>;
function ctx<Z extends string, K extends string, R extends string>(
  zoom: Z,
  key: K,
  appears: readonly Appearance[],
  about: string,
  rule: R,
): ContextRow<Z, K, R>;
function ctx(
  zoom: string,
  key: string,
  appears: readonly Appearance[],
  about: string,
  rule?: string,
): ContextRow<string, string, string> {
  return { zoom, group: 'context', key, appears, parse: parseText, unit: 'text', rule: rule ?? zoom, about };
}

function flag<Z extends string, K extends string>(zoom: Z, key: K, about: string): ContextRow<Z, K, Z> {
  return {
    ...ctx(zoom, key, ['qos_entry', 'participants'], `${about}: true or false`),
    parse: parseFlag,
    unit: 'flag',
  };
}

type Row = (typeof CATALOG)[number];
type RowOf<G extends Group> = Extract<Row, { group: G }>;
type ValueOf<R> = R extends { unit: 'level' | 'text' | 'list' | 'flag' } ? string : number;
/** The values of one group in a normalized sample, keyed as the catalog says; a missing value is absent. */
export type GroupValues<G extends Group> = { [R in RowOf<G> as R['key']]?: ValueOf<R> };

export const FIELDS: readonly FieldDef[] = CATALOG;

/** A measurement as a number: level words become their index (best = 0); text is not a number. */
export function numericValue(f: FieldDef, v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && f.levels) {
    const i = f.levels.indexOf(v);
    return i >= 0 ? i : undefined;
  }
  return undefined;
}

/** Where a per-sample group sits in a normalized sample. */
export const SAMPLE_GROUP_KEY = { cpu: 'cpu', wifi: 'wifi', cpuPressure: 'cpuPressure' } as const;
export const rowsOf = (group: Group): readonly FieldDef[] => FIELDS.filter((f) => f.group === group);
export const CONTEXT_FIELDS = rowsOf('context');
export const CONTEXT_BY_RULE: ReadonlyMap<string, FieldDef> = new Map(CONTEXT_FIELDS.map((f) => [f.rule, f]));

/**
 * Where a live poll of this kind of instance finds a context field: in its QoS entry (newer
 * shape; the older shape's list gives everything), only in the participants list (meetings and
 * webinars: qoswatch reads it for such a field only while a rule or `poll.list_fields` needs
 * it), or nowhere qoswatch reads (Video SDK users lists are not read: their only extra fields are
 * Zoom's quality verdicts).
 */
export function liveSource(
  f: FieldDef,
  kind: 'meeting' | 'webinar' | 'session',
): 'entry' | 'list' | undefined {
  if (kind === 'session') return f.appears.includes('session_entry') ? 'entry' : undefined;
  if (f.appears.includes('qos_entry')) return 'entry';
  if (kind === 'webinar' && WEBINAR_LIST_LACKS.has(f.rule)) return undefined;
  return f.appears.includes('participants') ? 'list' : undefined;
}

/** List fields of meetings that Zoom's webinar participants list does not have (its OpenAPI schema). */
const WEBINAR_LIST_LACKS: ReadonlySet<string> = new Set(['status', 'camera']);
/** Rows that are measurements (numbers or levels a rule can compare). */
export const MEASUREMENTS = FIELDS.filter((f) => f.group !== 'context');
/** Names of the context fields in rules (filters, group_by, templates). */
export type ContextRuleName = RowOf<'context'>['rule'];

/**
 * Fields Zoom documents that qoswatch deliberately does not read, and why. Identity (ids,
 * names, e-mail) is read apart (normalize.ts); everything else not named here or above is
 * unknown, ignored and never fatal.
 */
export const NOT_READ: Readonly<Record<string, string>> = {
  ip_address: 'personal data: kept as participant identity, never a metric label',
  internal_ip_addresses: 'personal data',
  pc_name: "personal data (often a person's name)",
  mac_addr: 'personal data',
  harddisk_id: 'personal data',
  domain: 'personal data (PC domain)',
  sip_uri: 'personal data',
  from_sip_uri: 'personal data',
  customer_key: 'SDK identifier of the app, not call quality',
  registrant_id: 'registration, not call quality',
  audio_call: 'phone numbers: personal data',
  bo_mtg_id: 'breakout room id',
  groupId: 'not documented',
  has_archiving: 'archiving, not call quality',
  optional_archiving: 'archiving, not call quality',
  total_jointime_cost: 'join duration, not call quality',
  zoom_thin_client_plugin_version: 'VDI plugin version',
  aic_disclaimer: 'AI Companion disclaimer, not call quality',
  in_room_participants: 'counted from the list instead',
  join_time: 'read by the join tracker (poll/joins.ts), not a sample field',
  leave_time: 'read by the join tracker (poll/joins.ts), not a sample field',
  rssi_unit: 'always dBm',
  user_key: 'Video SDK app identity: read by identity, not a sample field',
  is_original_host: 'not call quality',
  date_time: "the sample time; one without a zone (`2026-12-05 01:20:00`) is UTC, as Zoom's times are",
  device_name:
    'personal data: often the owner\'s name ("Ann\'s iPhone"); identity uses it to tell devices apart',
  meeting_number: 'the instance number, known from discovery',
  webinar_number: 'the instance number, known from discovery',
  device_detail: 'browser detail of data webhooks; browser_name and client are read instead',
  signaling_ip_address: 'personal data (IP address)',
  signaling_internal_ip_address: 'personal data (IP address)',
  signaling_internal_ip_port: 'network detail of data webhooks',
  audio_internal_ip_address: 'personal data (IP address)',
  audio_internal_ip_port: 'network detail of data webhooks',
  video_internal_ip_address: 'personal data (IP address)',
  video_internal_ip_port: 'network detail of data webhooks',
  as_internal_ip_address: 'personal data (IP address)',
  as_internal_ip_port: 'network detail of data webhooks',
  destination_ip_domain: 'network detail of data webhooks',
  destination_ip_port: 'network detail of data webhooks',
};
