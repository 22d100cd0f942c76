import { createHash } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import { loadYaml, YamlSource } from '../util/yaml-file.js';
import { validator as schemaValidator } from '../util/validators.js';
import type { SourceKind } from '../normalize/sample.js';
import { durationMs } from '../util/duration.js';
import { fromRoot } from '../util/package-root.js';
import { pick, unit } from './random.js';
import { scenarioSchema } from './scenario-schema.js';
import {
  PLAN_LIMITS,
  type Episode,
  type FaultKind,
  type FaultSpec,
  type Media,
  type MetricName,
  type Scenario,
  type SimInstance,
  type SimParticipant,
} from './scenario-types.js';

export const DEFAULT_SCENARIO_FILE = fromRoot('src', 'simulator', 'scenarios', 'default.yaml');

type RawParticipant = Record<string, unknown> & { user_id: string | number };
interface RawCrowd {
  count: number;
  prefix?: string;
  join?: string;
  leave?: string;
  data_centers?: string[];
  locations?: string[];
  network_types?: string[];
  devices?: string[];
  external_share?: number;
  muted_share?: number;
}
interface RawInstance {
  id: string | number;
  uuid?: string;
  topic?: string;
  host?: string;
  email?: string;
  start?: string;
  end?: string;
  participants?: RawParticipant[];
  crowd?: RawCrowd;
}
interface RawEpisode {
  name?: string;
  where: {
    participant?: string | number;
    instance?: string | number;
    data_center?: string;
    location?: string;
  };
  from: string;
  to: string;
  audio?: Partial<Record<MetricName, string>>;
  video?: Partial<Record<MetricName, string>>;
  share?: Partial<Record<MetricName, string>>;
  any?: Partial<Record<MetricName, string>>;
  cpu?: { zoom_avg?: number; zoom_max?: number; system_max?: number };
  wifi_rssi?: number;
}
interface RawScenario {
  name?: string;
  start?: string;
  seed?: string | number;
  plan?: 'pro' | 'business';
  shape?: 'newer' | 'older';
  /** A QoS entry's leave_time while present: none (left out) or join_time (Zoom's placeholder). */
  present_leave_time?: 'none' | 'join_time';
  /** How long after a leave the live QoS answers first show its leave_time (e.g. `3m`). */
  leave_lag?: string;
  /** false: the account has no QoS Subscription, and `qos_summary` is refused. */
  qos_summary?: boolean;
  limits?: { heavy_per_second?: number; resource_intensive_per_minute?: number; daily?: number };
  qos_window?: string;
  token_ttl?: string;
  page_token_ttl?: string;
  credentials?: { account_id: string; client_id: string; client_secret: string };
  videosdk?: { api_key: string; api_secret: string };
  meetings?: RawInstance[];
  webinars?: RawInstance[];
  sessions?: RawInstance[];
  episodes?: RawEpisode[];
  faults?: RawFault[];
}

/** A fault as a scenario writes it (and `POST /_sim/faults` takes it): snake_case, durations as `7s`. */
export interface RawFault {
  kind: FaultKind;
  path?: string;
  from?: string;
  to?: string;
  times?: number;
  delay?: string;
  retry_after_format?: 'seconds' | 'date';
  retry_after?: string;
  rate_limit_category?: string;
  rate_limit_type?: string;
}

/** The simulator's fault from one as written; a duration that is none throws (RangeError). */
export const faultFrom = (f: RawFault): FaultSpec => ({
  kind: f.kind,
  ...(f.path !== undefined ? { path: f.path } : {}),
  ...(f.from !== undefined ? { from: durationMs(f.from) } : {}),
  ...(f.to !== undefined ? { to: durationMs(f.to) } : {}),
  ...(f.times !== undefined ? { times: f.times } : {}),
  ...(f.delay !== undefined ? { delayMs: durationMs(f.delay) } : {}),
  ...(f.retry_after_format !== undefined ? { retryAfterFormat: f.retry_after_format } : {}),
  ...(f.retry_after !== undefined ? { retryAfter: f.retry_after } : {}),
  ...(f.rate_limit_category !== undefined ? { rateLimitCategory: f.rate_limit_category } : {}),
  ...(f.rate_limit_type !== undefined ? { rateLimitType: f.rate_limit_type } : {}),
});

let validator: ValidateFunction<RawScenario> | undefined;

const FOREVER = 100 * 365 * 86_400_000;
const opt = (v: string | undefined, fallback: number): number => (v === undefined ? fallback : durationMs(v));

const FIRST = [
  'Alex',
  'Sam',
  'Priya',
  'Chen',
  'Maria',
  'Tomás',
  'Aiko',
  'Noah',
  'Fatima',
  'Lars',
  'Zoe',
  'Omar',
];
const LAST = ['Kim', 'Novak', 'Okafor', 'Silva', 'Berg', 'Rossi', 'Tanaka', 'Haddad', 'Walsh', 'Iyer'];

function crowdParticipants(inst: RawInstance, c: RawCrowd, seed: string): SimParticipant[] {
  const out: SimParticipant[] = [];
  const prefix = c.prefix ?? `${String(inst.id)}-p`;
  for (let i = 0; i < c.count; i++) {
    const k = `${prefix}${i}`;
    const external = unit(seed, k, 'external') < (c.external_share ?? 0.1);
    const name = `${pick(FIRST, seed, k, 'first')} ${pick(LAST, seed, k, 'last')}`;
    const muted = unit(seed, k, 'muted') < (c.muted_share ?? 0.3);
    const dc = pick(c.data_centers ?? ['SC', 'NY', 'AM'], seed, k, 'dc');
    out.push({
      key: k,
      id: external ? '' : `u${(unit(seed, k, 'uid') * 1e12).toFixed(0)}`,
      userId: String(16_000_000 + i + Math.floor(unit(seed, String(inst.id), 'base') * 1e6) * 1000),
      name: external && unit(seed, k, 'anon') < 0.5 ? '' : name,
      email: external ? '' : `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`,
      device: pick(c.devices ?? ['Mac', 'Windows', 'Windows', 'iOS', 'Android'], seed, k, 'device'),
      role: 'attendee',
      networkType: pick(c.network_types ?? ['Wifi', 'Wired', 'Wifi', 'Cellular'], seed, k, 'net'),
      dataCenter: dc,
      location: pick(c.locations ?? ['San Jose (US)', 'New York (US)', 'Amsterdam (NL)'], seed, k, 'loc'),
      connectionType: pick(['UDP', 'UDP', 'TCP', 'P2P'], seed, k, 'conn'),
      version: pick(['6.2.5.41234', '6.1.11.39163', '5.17.11.34827'], seed, k, 'ver'),
      ipAddress: `198.51.100.${(i % 250) + 1}`,
      join: opt(c.join, 0) + Math.floor(unit(seed, k, 'late') * 3) * 60_000,
      leave: opt(c.leave, FOREVER),
      media: muted ? ['video'] : ['audio', 'video'],
    });
  }
  return out;
}

function participant(p: RawParticipant): SimParticipant {
  const s = (k: string, d = ''): string => {
    const v = p[k];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : d;
  };
  return {
    key: s('key', String(p.user_id)),
    id: s('id'),
    userId: String(p.user_id),
    name: s('name'),
    email: s('email'),
    device: s('device', 'Windows'),
    role: s('role', 'attendee'),
    networkType: s('network_type', 'Wired'),
    dataCenter: s('data_center', 'SC'),
    location: s('location', 'San Jose (US)'),
    connectionType: s('connection_type', 'UDP'),
    version: s('version', '6.2.5.41234'),
    ipAddress: s('ip_address', '203.0.113.7'),
    join: opt(p.join as string | undefined, 0),
    leave: opt(p.leave as string | undefined, FOREVER),
    media: (p.media as Media[] | undefined) ?? ['audio', 'video'],
  };
}

/**
 * A meeting UUID as Zoom shapes them (16 bytes in base64: 22 characters and `==`), derived from
 * a hash of kind, id and seed, so ids that share a long prefix still get distinct UUIDs.
 */
export function derivedUuid(kind: SourceKind, id: string, seed: string): string {
  return createHash('sha256').update(`${kind}:${id}:${seed}`).digest().subarray(0, 16).toString('base64');
}

function instances(kind: SourceKind, list: RawInstance[] | undefined, seed: string): SimInstance[] {
  return (list ?? []).map((r) => {
    const id = String(r.id);
    const participants = (r.participants ?? []).map(participant);
    if (r.crowd) participants.push(...crowdParticipants(r, r.crowd, seed));
    return {
      kind,
      id,
      uuid: r.uuid ?? derivedUuid(kind, id, seed),
      topic: r.topic ?? `${kind} ${id}`,
      host: r.host ?? 'Host',
      email: r.email ?? 'host@example.com',
      start: opt(r.start, 0),
      end: opt(r.end, FOREVER),
      participants,
    };
  });
}

function episode(e: RawEpisode, i: number): Episode {
  const set: Episode['set'] = {};
  for (const m of ['audio', 'video', 'share', 'any'] as const) if (e[m]) set[m] = e[m];
  return {
    name: e.name ?? `episode ${i + 1}`,
    where: {
      ...(e.where.participant !== undefined ? { participant: String(e.where.participant) } : {}),
      ...(e.where.instance !== undefined ? { instance: String(e.where.instance) } : {}),
      ...(e.where.data_center !== undefined ? { dataCenter: e.where.data_center } : {}),
      ...(e.where.location !== undefined ? { location: e.where.location } : {}),
    },
    from: durationMs(e.from),
    to: durationMs(e.to),
    set,
    ...(e.cpu
      ? {
          cpu: {
            ...(e.cpu.zoom_avg !== undefined ? { zoomAvg: e.cpu.zoom_avg } : {}),
            ...(e.cpu.zoom_max !== undefined ? { zoomMax: e.cpu.zoom_max } : {}),
            ...(e.cpu.system_max !== undefined ? { systemMax: e.cpu.system_max } : {}),
          },
        }
      : {}),
    ...(e.wifi_rssi !== undefined ? { wifiRssi: e.wifi_rssi } : {}),
  };
}

/** Builds a Scenario from already-parsed data (a YAML file, or an object in a test). */
export function scenarioFrom(raw: RawScenario, defaultStart: number): Scenario {
  const seed = String(raw.seed ?? raw.name ?? 'qoswatch');
  const plan = raw.plan ?? 'business';
  const base = PLAN_LIMITS[plan];
  return {
    name: raw.name ?? 'scenario',
    // Without a start, minute 0 is the whole minute the simulator starts in, so samples (at
    // whole minutes) fall on the same scenario minutes, and carry the same values, in every run.
    start: raw.start ? Date.parse(raw.start) : Math.floor(defaultStart / 60_000) * 60_000,
    seed,
    plan,
    shape: raw.shape ?? 'newer',
    presentLeaveTime: raw.present_leave_time ?? 'none',
    leaveLagMs: opt(raw.leave_lag, 0),
    qosSummary: raw.qos_summary ?? true,
    limits: {
      heavyPerSecond: raw.limits?.heavy_per_second ?? base.heavyPerSecond,
      resourcePerMinute: raw.limits?.resource_intensive_per_minute ?? base.resourcePerMinute,
      daily: raw.limits?.daily ?? base.daily,
    },
    qosWindowMs: opt(raw.qos_window, 10 * 60_000),
    tokenTtlMs: opt(raw.token_ttl, 3_600_000),
    pageTokenTtlMs: opt(raw.page_token_ttl, 15 * 60_000),
    ...(raw.credentials
      ? {
          credentials: {
            accountId: raw.credentials.account_id,
            clientId: raw.credentials.client_id,
            clientSecret: raw.credentials.client_secret,
          },
        }
      : {}),
    ...(raw.videosdk
      ? { videoSdk: { apiKey: raw.videosdk.api_key, apiSecret: raw.videosdk.api_secret } }
      : {}),
    instances: [
      ...instances('meeting', raw.meetings, seed),
      ...instances('webinar', raw.webinars, seed),
      ...instances('session', raw.sessions, seed),
    ],
    episodes: (raw.episodes ?? []).map(episode),
    faults: (raw.faults ?? []).map(faultFrom),
  };
}

/**
 * Loads a scenario file. Without a `start`, scenario minute 0 is `defaultStart` (the demo
 * uses "now", so meetings are live as soon as the simulator runs).
 */
export function loadScenario(file: string, defaultStart: number): Scenario {
  validator ??= schemaValidator<RawScenario>('files', scenarioSchema);
  const { value } = loadYaml<RawScenario>(YamlSource.read(file), validator);
  return scenarioFrom(value, defaultStart);
}

export type { RawScenario };
