import type { CpuMetrics, CpuPressureLevels, StreamMetrics, WifiMetrics } from '../normalize/sample.js';
import { streamName } from '../normalize/streams.js';
import {
  parseBitrate,
  parseFrameRate,
  parseRatio,
  parseResolution,
  parseSeconds,
  type CpuPressure,
} from '../normalize/values.js';
import { between, unit } from './random.js';
import type { Episode, Media, MetricName, Scenario, SimInstance, SimParticipant } from './scenario-types.js';
import { zoomTime } from '../util/zoom-time.js';

/** What the simulator means by one QoS sample: Zoom's strings, and the numbers they stand for. */
export interface GeneratedSample {
  /** The `user_qos` entry exactly as the API returns it. */
  raw: Record<string, unknown>;
  /** The values in base units that a correct parser must read from `raw`; unset where `raw` has "" . */
  truth: {
    streams: Record<string, StreamMetrics>;
    cpu: CpuMetrics;
    wifi?: WifiMetrics;
    cpuPressure?: CpuPressureLevels;
  };
}

interface Level {
  latencyMs: number;
  jitterMs: number;
  lossPct: number;
  kbps: number;
  fps?: number;
  resolution?: [number, number];
}

function baseline(seed: string, p: SimParticipant, media: Media, dir: 'in' | 'out'): Level {
  const k = [seed, p.key, media, dir];
  const wifi = p.networkType === 'Wifi' || p.networkType === 'Cellular';
  const latency = between(30, wifi ? 140 : 90, ...k, 'lat');
  const level: Level = {
    latencyMs: latency,
    jitterMs: between(1, wifi ? 12 : 6, ...k, 'jit'),
    lossPct: between(0, 0.4, ...k, 'loss'),
    kbps:
      media === 'audio'
        ? between(20, 70, ...k, 'br')
        : media === 'video'
          ? between(500, 1500, ...k, 'br')
          : between(100, 800, ...k, 'br'),
  };
  if (media === 'video') {
    level.fps = between(22, 30, ...k, 'fps');
    level.resolution = unit(...k, 'res') < 0.6 ? [1280, 720] : [640, 360];
  } else if (media === 'share') {
    level.fps = between(5, 15, ...k, 'fps');
    level.resolution = [1920, 1080];
  }
  return level;
}

function matches(e: Episode, inst: SimInstance, p: SimParticipant): boolean {
  const w = e.where;
  return (
    // A participant's key or user_id names one join; a signed-in user's account id names all
    // their joins (a rejoin, a second device).
    (w.participant === undefined ||
      w.participant === p.key ||
      w.participant === p.userId ||
      (p.id !== '' && w.participant === p.id)) &&
    (w.instance === undefined || w.instance === inst.id || w.instance === inst.uuid) &&
    (w.dataCenter === undefined || w.dataCenter === p.dataCenter) &&
    (w.location === undefined || w.location === p.location)
  );
}

/** Episodes active for this participant at scenario offset `t`. */
export function activeEpisodes(s: Scenario, inst: SimInstance, p: SimParticipant, t: number): Episode[] {
  return s.episodes.filter((e) => t >= e.from && t < e.to && matches(e, inst, p));
}

/** Noise of ±`pct` around `v`, stable for the key. */
function noisy(v: number, pct: number, ...key: (string | number)[]): number {
  return v * (1 + (unit(...key) * 2 - 1) * pct);
}

function applyEpisode(level: Level, set: Partial<Record<MetricName, string>> | undefined): Level {
  if (!set) return level;
  const out = { ...level };
  const latency = parseSeconds(set.latency);
  if (latency !== undefined) out.latencyMs = latency * 1000;
  const jitter = parseSeconds(set.jitter);
  if (jitter !== undefined) out.jitterMs = jitter * 1000;
  const loss = parseRatio(set.avg_loss);
  if (loss !== undefined) out.lossPct = loss * 100;
  const bitrate = parseBitrate(set.bitrate);
  if (bitrate !== undefined) out.kbps = bitrate / 1000;
  const fps = parseFrameRate(set.frame_rate);
  if (fps !== undefined) out.fps = fps;
  const res = parseResolution(set.resolution);
  if (res) out.resolution = [res.width, res.height];
  return out;
}

/**
 * Format variants Zoom is known to use, picked per value so every parser path gets exercised.
 * The truth is the decimal written, as the double nearest it (`471 ms` is 0.471, not
 * 471 * 1e-3 = 0.47100000000000003): what Zoom's value means, and what the normalizer reads (990ea08).
 */
function fmtMs(ms: number, k: number): [string, number] {
  const v = Math.round(ms);
  return [k < 0.5 ? `${v} ms` : `${v}ms`, Number(`${v}e-3`)];
}
function fmtPct(pct: number): [string, number] {
  const v = Math.round(Math.max(0, Math.min(100, pct)) * 10) / 10;
  return [`${v.toFixed(1)}%`, Number(`${v.toFixed(1)}e-2`)];
}
function fmtKbps(kbps: number, k: number): [string, number] {
  if (k < 0.4) {
    const v = Math.round(kbps);
    return [`${v} kbps`, v * 1e3];
  }
  if (k < 0.7) {
    const v = Math.round(kbps);
    return [`${v} Kbps`, v * 1e3];
  }
  const v = Number(kbps.toFixed(2));
  return [k < 0.85 ? `${v.toFixed(2)} kbps` : `${v.toFixed(2)}kbps`, Number(`${v.toFixed(2)}e3`)];
}

/** Share of values that come back as "" (Zoom does this); the parser must count them missing. */
const EMPTY_SHARE = 0.02;

// eslint-disable-next-line max-lines-per-function -- a table: one QoS field after another
function streamEntry(
  level: Level,
  hasVideo: boolean,
  key: (string | number)[],
): { raw: Record<string, string>; truth: StreamMetrics } {
  const raw: Record<string, string> = {};
  const truth: StreamMetrics = {};
  const put = (field: string, make: () => [string, number | undefined], set: (v: number) => void): void => {
    if (unit(...key, field, 'empty') < EMPTY_SHARE) {
      raw[field] = '';
      return;
    }
    const [text, v] = make();
    raw[field] = text;
    if (v !== undefined) set(v);
  };
  put(
    'bitrate',
    () => fmtKbps(noisy(level.kbps, 0.1, ...key, 'br'), unit(...key, 'brf')),
    (v) => (truth.bitrate = v),
  );
  put(
    'latency',
    () => fmtMs(noisy(level.latencyMs, 0.1, ...key, 'lat'), unit(...key, 'latf')),
    (v) => (truth.latency = v),
  );
  put(
    'jitter',
    () => fmtMs(noisy(level.jitterMs, 0.2, ...key, 'jit'), unit(...key, 'jitf')),
    (v) => (truth.jitter = v),
  );
  const avg = noisy(level.lossPct, 0.2, ...key, 'loss');
  put(
    'avg_loss',
    () => fmtPct(avg),
    (v) => (truth.avgLoss = v),
  );
  put(
    'max_loss',
    () => fmtPct(avg * between(1, 3, ...key, 'maxl') + between(0, 1, ...key, 'maxa')),
    (v) => (truth.maxLoss = v),
  );
  if (hasVideo && level.resolution && level.fps !== undefined) {
    const [w, h] = level.resolution;
    put(
      'resolution',
      () => [unit(...key, 'resf') < 0.5 ? `${w}*${h}` : `${w}x${h}`, 0],
      () => {
        truth.width = w;
        truth.height = h;
      },
    );
    const fps = Math.max(0, Math.round(noisy(level.fps, 0.1, ...key, 'fps')));
    put(
      'frame_rate',
      () => [`${fps} fps`, fps],
      (v) => (truth.frameRate = v),
    );
  }
  return { raw, truth };
}

function cpuEntry(
  seed: string,
  p: SimParticipant,
  t: number,
  eps: Episode[],
): { raw: Record<string, string>; truth: CpuMetrics } {
  const k = [seed, p.key, t];
  let avg = between(8, 30, seed, p.key, 'cpu');
  let max = avg + between(3, 12, ...k, 'cpumax');
  let sys = between(30, 60, ...k, 'sys');
  for (const e of eps) {
    if (e.cpu?.zoomAvg !== undefined) avg = e.cpu.zoomAvg;
    if (e.cpu?.zoomMax !== undefined) max = e.cpu.zoomMax;
    else if (e.cpu?.zoomAvg !== undefined) max = Math.min(100, avg + 4);
    if (e.cpu?.systemMax !== undefined) sys = e.cpu.systemMax;
  }
  avg = Math.round(Math.min(100, noisy(avg, 0.03, ...k, 'a')));
  max = Math.round(Math.min(100, Math.max(avg, max)));
  const min = Math.max(0, avg - Math.round(between(2, 6, ...k, 'min')));
  sys = Math.round(Math.min(100, Math.max(max, sys)));
  return {
    raw: {
      zoom_min_cpu_usage: `${min}%`,
      zoom_avg_cpu_usage: `${avg}%`,
      zoom_max_cpu_usage: `${max}%`,
      system_max_cpu_usage: `${sys}%`,
    },
    truth: { zoomMin: min / 100, zoomAvg: avg / 100, zoomMax: max / 100, systemMax: sys / 100 },
  };
}

/**
 * The QoS sample of participant `p` of `inst` at epoch time `time` (a whole minute),
 * deterministic for the scenario's seed and the time since its minute 0: the same scenario gives
 * the same samples whenever it runs.
 */
export function generateSample(
  s: Scenario,
  inst: SimInstance,
  p: SimParticipant,
  time: number,
): GeneratedSample {
  const t = time - s.start;
  const eps = activeEpisodes(s, inst, p, t);
  const raw: Record<string, unknown> = { date_time: zoomTime(time) };
  const truth: GeneratedSample['truth'] = { streams: {}, cpu: {} };
  const viaCrc = p.device === 'H.323/SIP';
  for (const media of ['audio', 'video', 'share'] as const) {
    const sends = p.media.includes(media);
    // Everyone receives audio and video; share is only seen by its sharers here.
    const receives = media !== 'share' || sends;
    for (const dir of ['in', 'out'] as const) {
      if (dir === 'in' ? !sends : !receives) continue;
      let level = baseline(s.seed, p, media, dir);
      for (const e of eps) level = applyEpisode(applyEpisode(level, e.set.any), e.set[media]);
      // Zoom's legs: *_input and *_device_from_* are sent, *_output and *_device_to_* received.
      const name = streamName(media, dir === 'in' ? 'sent' : 'received', viaCrc ? 'crc' : 'client');
      const entry = streamEntry(level, media !== 'audio', [s.seed, p.key, t, name]);
      raw[name] = entry.raw;
      truth.streams[name] = entry.truth;
    }
  }
  if (p.device !== 'Phone' && p.device !== 'H.323/SIP') {
    const cpu = cpuEntry(s.seed, p, t, eps);
    raw.cpu_usage = cpu.raw;
    truth.cpu = cpu.truth;
    if (p.version.startsWith('6.2')) {
      // Newer clients: an object of three words (Zoom's newer answers), as in zoomnet's samples.
      const word = (v: number): CpuPressure => (v >= 0.85 ? 'critical' : v >= 0.6 ? 'serious' : 'normal');
      const p = {
        min: word(cpu.truth.zoomMin!),
        avg: word(cpu.truth.zoomAvg!),
        max: word(cpu.truth.zoomMax!),
      };
      raw.cpu_pressure_level = {
        system_min_cpu_pressure_level: p.min,
        system_avg_cpu_pressure_level: p.avg,
        system_max_cpu_pressure_level: p.max,
      };
      truth.cpuPressure = p;
    }
  }
  if (p.networkType === 'Wifi') {
    let avg = Math.round(between(-65, -45, s.seed, p.key, 'rssi'));
    for (const e of eps) if (e.wifiRssi !== undefined) avg = e.wifiRssi;
    avg = Math.round(noisy(avg, 0.03, s.seed, p.key, t, 'rssi'));
    const w = { avg, max: avg + 3, min: avg - 4 };
    raw.wifi_rssi = { max_rssi: w.max, avg_rssi: w.avg, min_rssi: w.min, rssi_unit: 'dBm' };
    truth.wifi = w;
  }
  return { raw, truth };
}
