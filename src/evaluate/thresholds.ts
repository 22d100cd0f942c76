import type { MetricDef, UnitKind } from './metrics.js';
import { scaledDecimal } from '../util/decimal.js';

const NUM = String.raw`(-?\d+(?:\.\d+)?)`;

const PATTERNS: Record<
  UnitKind,
  { re: RegExp; scale: (n: string, unit: string) => number; expected: string }
> = {
  duration: {
    re: new RegExp(`^${NUM}\\s*(ms|s)$`, 'i'),
    scale: (n, u) => scaledDecimal(n, u.toLowerCase() === 's' ? 0 : -3),
    expected: 'a duration such as 300ms or 1.5s',
  },
  percent: {
    re: new RegExp(`^${NUM}\\s*(%)$`),
    scale: (n) => scaledDecimal(n, -2),
    expected: 'a percentage such as 5%',
  },
  bitrate: {
    re: new RegExp(`^${NUM}\\s*(bps|kbps|mbps|gbps)$`, 'i'),
    scale: (n, u) =>
      scaledDecimal(n, ({ bps: 0, kbps: 3, mbps: 6, gbps: 9 } as Record<string, number>)[u.toLowerCase()]!),
    expected: 'a bitrate such as 500kbps or 1.5Mbps',
  },
  fps: { re: new RegExp(`^${NUM}\\s*(fps)?$`, 'i'), scale: Number, expected: 'a frame rate such as 10fps' },
  pixels: {
    re: /^(\d+)\s*(p|px)$/i,
    scale: Number,
    expected: 'pixels such as 360p (a picture height) or 1280px',
  },
  dbm: {
    re: new RegExp(`^${NUM}\\s*(dbm)$`, 'i'),
    scale: Number,
    expected: 'a signal strength such as -70dBm',
  },
  level: { re: /^([a-z]+)()$/i, scale: () => 0, expected: 'one of the levels' },
  number: { re: new RegExp(`^${NUM}()$`), scale: Number, expected: 'a number such as 3.5' },
};

/** A share of participants as the rule schema writes it ("30%", "1.1%") as a ratio: 0.3, 0.011. */
export const percentShare = (text: string): number => scaledDecimal(text.slice(0, -1), -2);

type Unit = Pick<MetricDef, 'unit' | 'levels'>;

/**
 * What each kind of metric can measure, in base units: a threshold outside it (a negative
 * latency, a loss above 100%) would fire on healthy data or never.
 */
const DOMAIN: Record<UnitKind, [number, number, string]> = {
  duration: [0, 60, 'a duration from 0ms to 60s'],
  percent: [0, 1, 'a percentage from 0% to 100%'],
  bitrate: [0, 10e9, 'a bitrate from 0kbps to 10Gbps'],
  fps: [0, 240, 'a frame rate from 0 to 240fps'],
  pixels: [0, 16384, 'pixels from 0 to 16384 (8640p is 8K)'],
  dbm: [-150, 0, 'a signal strength from -150dBm to 0dBm'],
  // Levels are checked against the metric's own list above.
  level: [0, Number.MAX_SAFE_INTEGER, 'one of the levels'],
  number: [-Number.MAX_VALUE, Number.MAX_VALUE, 'a finite number'],
};

/**
 * Parses a threshold in the unit family of its metric into base units (seconds, ratio 0 to 1,
 * bits per second, fps, pixels, dBm, level index, plain number). Returns an error text
 * when the unit does not fit: `5%` on a latency rule says so.
 */
export function parseThreshold(text: string | number, metric: Unit): { value: number } | { error: string } {
  const s = String(text).trim();
  const unit = metric.unit;
  const p = PATTERNS[unit];
  if (unit === 'level') {
    const levels = metric.levels ?? [];
    const i = levels.indexOf(s.toLowerCase());
    return i >= 0
      ? { value: i }
      : { error: `found ${JSON.stringify(s)}; expected one of ${levels.join(', ')}` };
  }
  const m = p.re.exec(s);
  if (!m) return { error: `found ${JSON.stringify(s)}; expected ${p.expected}` };
  const value = p.scale(m[1]!, m[2] ?? '');
  const [min, max, range] = DOMAIN[unit];
  if (!Number.isFinite(value) || value < min || value > max)
    return { error: `found ${s}, outside what the metric can measure; expected ${range}` };
  return { value };
}

/** A value in base units, written for people in the metric's unit. */
export function formatValue(value: number, metric: Unit): string {
  switch (metric.unit) {
    case 'duration':
      return value >= 10 ? `${value.toFixed(1)} s` : `${Math.round(value * 1000)} ms`;
    case 'percent':
      return `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`;
    case 'bitrate':
      return value >= 1e6 ? `${(value / 1e6).toFixed(1)} Mbps` : `${Math.round(value / 1e3)} kbps`;
    case 'fps':
      return `${Math.round(value)} fps`;
    case 'pixels':
      return `${Math.round(value)}p`;
    case 'dbm':
      return `${Math.round(value)} dBm`;
    case 'level':
      return metric.levels?.[Math.round(value)] ?? String(value);
    case 'number':
      return String(Math.round(value * 100) / 100);
  }
}
