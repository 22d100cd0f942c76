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

/**
 * How a unit is written for people: the power of ten from base units to the unit shown, the
 * fewest and the most decimals a value is shown with, and the unit's text. As many decimals as
 * the value has, within those: Zoom's "126 ms", "12.5%", "0.3%", "27.15 kbps" and "1055 kbps"
 * (1.055 Mbps) as it wrote them; "5.0%" under 10%, "2.0 Mbps", as before.
 */
function shownUnit(value: number, metric: Unit): [shift: number, min: number, max: number, unit: string] {
  switch (metric.unit) {
    case 'duration':
      return value >= 10 ? [0, 1, 2, ' s'] : [3, 0, 1, ' ms'];
    case 'percent':
      return [2, value < 0.1 ? 1 : 0, 2, '%'];
    case 'bitrate':
      return value >= 1e6 ? [-6, 1, 3, ' Mbps'] : [-3, 0, 2, ' kbps'];
    case 'fps':
      return [0, 0, 1, ' fps'];
    case 'pixels':
      return [0, 0, 0, 'p'];
    case 'dbm':
      return [0, 0, 0, ' dBm'];
    default:
      return [0, 0, 2, ''];
  }
}

/** A threshold is shown with as many decimals as it has, up to this many (a user wrote it). */
const THRESHOLD_PLACES = 6;

/**
 * `value` in base units as a number in the unit shown (10^shift), rounded half up to `places`
 * decimals of the decimal it prints as: 0.0035 is 0.4%, where (0.35).toFixed(1) is "0.3" (0.35
 * is a little less as a double).
 */
const inUnit = (value: number, shift: number, places: number): number =>
  scaledDecimal(String(Math.round(scaledDecimal(String(value), shift + places))), -places);

/** `n` written with at least `min` decimals (trailing zeros added), as many as it has above that. */
function written(n: number, min: number): string {
  const s = String(n);
  if (!min || s.includes('e')) return s;
  const dot = s.indexOf('.');
  const places = dot < 0 ? 0 : s.length - dot - 1;
  return places >= min ? s : `${s}${dot < 0 ? '.' : ''}${'0'.repeat(min - places)}`;
}

/**
 * A value in base units, written for people in the metric's unit (shownUnit). Given the
 * threshold it is compared with (`against`), a value so close to it that its decimals would show
 * it equal to the threshold, or past it on the other side ("13% (above 12.5%)" for 12.5%, "12.5%
 * (above 12.5%)" for 12.5004%), gets more decimals until it shows on its own side.
 */
export function formatValue(value: number, metric: Unit, against?: number): string {
  if (metric.unit === 'level') return metric.levels?.[Math.round(value)] ?? String(value);
  return formatIn(shownUnit(value, metric), value, against);
}

/**
 * A figure among many (a report's table: min, avg, max, p95), by one rule on its size in the unit
 * shown (shownUnit): the unit's fewest decimals ("126 ms", "0.3%", "13%", "38 kbps"); a figure
 * smaller than 1 of those decimals, more, until its first digit that is not zero shows, up to the
 * unit's most ("0.03%", "0.05%", "0.4 ms"); one smaller than the unit's last decimal, that it is
 * ("<0.01%", "<0.1 ms"), never zero. The decimals follow the size, not the rounding: 0.049% and
 * 0.05% both read "0.05%" (hT44b S2: 0.05% was "0.1%", 0.004% "0.0%").
 */
export function formatFigure(value: number, metric: Unit): string {
  if (metric.unit === 'level') return formatValue(value, metric);
  const [shift, min, max, unit] = shownUnit(value, metric);
  const size = Math.abs(scaledDecimal(String(value), shift));
  const step = (places: number): number => scaledDecimal('1', -places);
  if (value !== 0 && size < step(max)) return `${value < 0 ? '>-' : '<'}${written(step(max), min)}${unit}`;
  let places = min;
  while (places < max && size < step(places)) places++;
  return formatIn([shift, min, places, unit], value);
}

/** A share of participants as a whole percentage ("67%"); closer to `against` than that, with decimals. */
export const formatShare = (value: number, against?: number): string =>
  formatIn([2, 0, 0, '%'], value, against);

/** formatValue in the unit `shown` (shownUnit). */
function formatIn(
  [shift, min, max, unit]: ReturnType<typeof shownUnit>,
  value: number,
  against?: number,
): string {
  let shown = inUnit(value, shift, max);
  if (against !== undefined) {
    const threshold = inUnit(against, shift, THRESHOLD_PLACES);
    const side = Math.sign(value - against);
    for (let p = max + 1; Math.sign(shown - threshold) !== side && p <= THRESHOLD_PLACES + 3; p++)
      shown = inUnit(value, shift, p);
  }
  return `${written(shown, min)}${unit}`;
}

/** A threshold in base units, written for people in the metric's unit, with the decimals it has. */
export function formatThreshold(value: number, metric: Unit): string {
  if (metric.unit === 'level') return formatValue(value, metric);
  const [shift, min, , unit] = shownUnit(value, metric);
  return `${written(inUnit(value, shift, THRESHOLD_PLACES), min)}${unit}`;
}
