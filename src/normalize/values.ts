/**
 * Zoom's QoS values are strings with units in several spellings ("27.15 kbps", "23 Kbps",
 * "27.15kbps", "126 ms", "0ms", "0.3%", "1280*720", "1920x1080", "12 fps", ""). Each parser
 * returns a number in base units, or undefined when the value is empty or not understood:
 * missing data is never turned into 0.
 */

const NUMBER = String.raw`([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)`;

/** A result that overflowed to Infinity when scaled to base units is not a reading either. */
const finite = (v: number): number | undefined => (Number.isFinite(v) ? v : undefined);

function match(value: unknown, unit: RegExp): [number, string] | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? [value, ''] : undefined;
  if (typeof value !== 'string') return undefined;
  const m = new RegExp(`^\\s*${NUMBER}\\s*(${unit.source})?\\s*$`, 'i').exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? [n, (m[2] ?? '').toLowerCase()] : undefined;
}

const TIME_UNITS: Record<string, number> = { '': 1e-3, ms: 1e-3, s: 1, sec: 1, us: 1e-6, µs: 1e-6 };

/** "126 ms" -> 0.126 (seconds). A bare number is taken as milliseconds, Zoom's unit. */
export function parseSeconds(value: unknown): number | undefined {
  const m = match(value, /ms|µs|us|sec|s/);
  if (!m || m[0] < 0) return undefined;
  return finite(m[0] * TIME_UNITS[m[1]]!);
}

/** "0.3%" -> 0.003 (ratio 0 to 1). A bare number is taken as percent. */
export function parseRatio(value: unknown): number | undefined {
  const m = match(value, /%/);
  if (!m || m[0] < 0 || m[0] > 100) return undefined;
  return m[0] / 100;
}

const RATE_UNITS: Record<string, number> = { '': 1e3, bps: 1, kbps: 1e3, mbps: 1e6, gbps: 1e9 };

/** "27.15 kbps" / "23 Kbps" -> bits per second. A bare number is taken as kbps, Zoom's unit. */
export function parseBitrate(value: unknown): number | undefined {
  const m = match(value, /[kmg]?bps/);
  if (!m || m[0] < 0) return undefined;
  return finite(m[0] * RATE_UNITS[m[1]]!);
}

/** "12 fps" -> 12. */
export function parseFrameRate(value: unknown): number | undefined {
  const m = match(value, /fps/);
  if (!m || m[0] < 0) return undefined;
  return m[0];
}

export interface Resolution {
  width: number;
  height: number;
}

/** "1280*720" / "1920x1080" / "640 X 360" -> {width, height}. "0*0" means no picture: missing. */
export function parseResolution(value: unknown): Resolution | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+)\s*[*xX×]\s*(\d+)\s*$/.exec(value);
  if (!m) return undefined;
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width === 0 || height === 0) return undefined;
  return { width, height };
}

/** Wi-Fi RSSI: integers in dBm, sometimes written "-60 dBm". */
export function parseDbm(value: unknown): number | undefined {
  const m = match(value, /dbm/);
  if (!m || m[0] > 0 || m[0] < -150) return undefined;
  return m[0];
}

/** Zoom's CPU pressure words, in order of severity; unknown words are missing. */
export const CPU_PRESSURE_LEVELS = ['nominal', 'normal', 'fair', 'serious', 'critical'] as const;
export type CpuPressure = (typeof CPU_PRESSURE_LEVELS)[number];

export function parseCpuPressure(value: unknown): CpuPressure | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return (CPU_PRESSURE_LEVELS as readonly string[]).includes(v) ? (v as CpuPressure) : undefined;
}
