import type {
  CpuMetrics,
  InstanceRef,
  ParticipantContext,
  ParticipantRef,
  QosSample,
  StreamMetrics,
  WifiMetrics,
} from './sample.js';
import { joinKey, personKey } from './identity.js';
import { STREAM_BY_NAME } from './streams.js';
import type { NormalizeStats } from './stats.js';
import {
  parseBitrate,
  parseCpuPressure,
  parseDbm,
  parseFrameRate,
  parseRatio,
  parseResolution,
  parseSeconds,
} from './values.js';

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** Sets `target[key]` from `raw[field]` through `parse`; counts a present-but-unusable value as missing. */
function take<T extends object, K extends keyof T>(
  target: T,
  key: K,
  raw: Raw,
  field: string,
  parse: (v: unknown) => T[K] | undefined,
  stats: NormalizeStats,
): void {
  if (!(field in raw)) return;
  const v = parse(raw[field]);
  if (v === undefined) stats.missing(field);
  else target[key] = v;
}

function streamMetrics(raw: Raw, stats: NormalizeStats): StreamMetrics {
  const m: StreamMetrics = {};
  take(m, 'latency', raw, 'latency', parseSeconds, stats);
  take(m, 'jitter', raw, 'jitter', parseSeconds, stats);
  take(m, 'avgLoss', raw, 'avg_loss', parseRatio, stats);
  take(m, 'maxLoss', raw, 'max_loss', parseRatio, stats);
  take(m, 'bitrate', raw, 'bitrate', parseBitrate, stats);
  take(m, 'frameRate', raw, 'frame_rate', parseFrameRate, stats);
  if ('resolution' in raw) {
    const r = parseResolution(raw.resolution);
    if (r) {
      m.width = r.width;
      m.height = r.height;
    } else stats.missing('resolution');
  }
  return m;
}

function cpuMetrics(raw: Raw, stats: NormalizeStats): CpuMetrics {
  const c: CpuMetrics = {};
  take(c, 'zoomAvg', raw, 'zoom_avg_cpu_usage', parseRatio, stats);
  take(c, 'zoomMax', raw, 'zoom_max_cpu_usage', parseRatio, stats);
  take(c, 'zoomMin', raw, 'zoom_min_cpu_usage', parseRatio, stats);
  take(c, 'systemMax', raw, 'system_max_cpu_usage', parseRatio, stats);
  return c;
}

function wifiMetrics(raw: unknown, stats: NormalizeStats): WifiMetrics | undefined {
  // The spec has {max_rssi, avg_rssi, min_rssi}; some payloads carry a bare integer.
  if (!isObject(raw)) {
    const v = parseDbm(raw);
    if (v === undefined) stats.missing('wifi_rssi');
    return v === undefined ? undefined : { avg: v, max: v, min: v };
  }
  const w: WifiMetrics = {};
  take(w, 'avg', raw, 'avg_rssi', parseDbm, stats);
  take(w, 'max', raw, 'max_rssi', parseDbm, stats);
  take(w, 'min', raw, 'min_rssi', parseDbm, stats);
  return Object.keys(w).length ? w : undefined;
}

const NON_STREAM_KEYS = new Set(['date_time', 'cpu_usage', 'wifi_rssi', 'cpu_pressure_level']);

/** The key of one join (`user_id`; Video SDK: `id`): see identity.ts. Empty when there is none. */
export const participantKey = joinKey;

export function participantRef(raw: Raw): ParticipantRef {
  const join = joinKey(raw);
  const person = personKey(raw);
  return {
    key: join,
    join,
    ...(person ? { person } : {}),
    name: str(raw.user_name) || str(raw.name),
    email: str(raw.email),
    ip: str(raw.ip_address),
  };
}

/** Context that the QoS payload itself carries (device, location, version); the participants endpoint adds more. */
export function contextFromRaw(raw: Raw): ParticipantContext {
  const c: ParticipantContext = {};
  const set = (k: keyof ParticipantContext, field: string): void => {
    const v = str(raw[field]);
    if (v) c[k] = v;
  };
  set('networkType', 'network_type');
  set('dataCenter', 'data_center');
  set('connectionType', 'connection_type');
  set('location', 'location');
  set('device', 'device');
  set('version', 'version');
  return c;
}

/**
 * Turns one participant object of a QoS answer (meetings, webinars or Video SDK) into
 * samples, one per `user_qos` entry. Unknown stream types and fields are ignored; a sample
 * without a usable `date_time` is skipped and counted.
 */
export function normalizeParticipant(
  instance: InstanceRef,
  raw: unknown,
  context: ParticipantContext,
  stats: NormalizeStats,
): QosSample[] {
  if (!isObject(raw)) {
    stats.samplesInvalid++;
    return [];
  }
  const participant = participantRef(raw);
  if (!participant.key) {
    stats.samplesInvalid++;
    return [];
  }
  // The entry's own context first (newer answers carry it); the participants list fills gaps.
  const ctx = { ...context, ...contextFromRaw(raw) };
  const entries = Array.isArray(raw.user_qos) ? raw.user_qos : [];
  const out: QosSample[] = [];
  for (const entry of entries) {
    const time = isObject(entry) && typeof entry.date_time === 'string' ? Date.parse(entry.date_time) : NaN;
    if (!isObject(entry) || !Number.isFinite(time)) {
      stats.samplesInvalid++;
      continue;
    }
    const sample: QosSample = { instance, participant, context: ctx, time, streams: {} };
    for (const [name, value] of Object.entries(entry)) {
      if (NON_STREAM_KEYS.has(name) || !isObject(value)) continue;
      if (!STREAM_BY_NAME.has(name)) {
        stats.unknownStream(name);
        continue;
      }
      const metrics = streamMetrics(value, stats);
      if (Object.keys(metrics).length) sample.streams[name] = metrics;
    }
    if (isObject(entry.cpu_usage)) {
      const cpu = cpuMetrics(entry.cpu_usage, stats);
      if (Object.keys(cpu).length) sample.cpu = cpu;
    }
    if ('wifi_rssi' in entry) {
      const wifi = wifiMetrics(entry.wifi_rssi, stats);
      if (wifi) sample.wifi = wifi;
    }
    if ('cpu_pressure_level' in entry) {
      const p = parseCpuPressure(entry.cpu_pressure_level);
      if (p) sample.cpuPressure = p;
      else stats.missing('cpu_pressure_level');
    }
    stats.samplesParsed++;
    out.push(sample);
  }
  return out;
}
