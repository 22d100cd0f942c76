/**
 * Zoom's QoS values are strings with units in several spellings ("27.15 kbps", "23 Kbps",
 * "27.15kbps", "126 ms", "0ms", "0.3%", "1280*720", "1920x1080", "12 fps", ""). Each parser
 * returns a number in base units, or undefined when the value is empty or not understood:
 * missing data is never turned into 0. Every regular expression is compiled once, here.
 */

import { visible } from './zoom-text.js';
import { scaledDecimal } from '../util/decimal.js';

const NUMBER = String.raw`([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)`;

/**
 * Why a value is not a reading: empty (Zoom's "" or "0*0": nothing measured), a form not
 * understood ("12 parsecs", 42 for a level word), or a number outside what can be measured
 * (negative latency, "126 sec", "250%").
 */
export type Refusal = 'empty' | 'unreadable' | 'implausible';

/**
 * Why the last reader that returned undefined refused its value. Beside the readers, as `unit`
 * is: every reader sets it on each path that returns undefined, and NormalizeStats reads it on
 * that path only (a cycle reads hundreds of thousands of values; nothing is stored per reading).
 */
let refused: Refusal = 'unreadable';
export const lastRefusal = (): Refusal => refused;

/** undefined, with why: a number (`v`) read but out of bounds is implausible; NaN is unreadable. */
function refuse(v: number): number | undefined {
  refused = v === v ? 'implausible' : 'unreadable';
  return undefined;
}

/**
 * Plausibility bounds, in base units: a reading past one is implausible, not a measurement.
 * Latency and jitter above a minute, a stream above 1 Gbit/s (Zoom's run to a few Mbit/s), more
 * than 240 frames a second or a side of more than 16,384 pixels (8K is 7,680) are not real.
 */
export const PLAUSIBLE = { seconds: 60, bitsPerSecond: 1e9, framesPerSecond: 240, pixels: 16_384 } as const;

const ZERO = 48;
const NINE = 57;
const DOT = 46;
const SPACE = 32;
/** Powers of ten up to 1e22, all exact in a double. */
const TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The unit (lower case; '' for none) of the number a reader of numberWithUnit returned last.
 * Beside the number, not in a pair with it: a cycle reads hundreds of thousands of values, and a
 * pair per value was as many short-lived arrays.
 */
let unit = '';

/**
 * The decimal a reader of numberWithUnit read last, beside its number (as `unit`), for `scaled`:
 * Zoom's plain form as its digits (`whole`) and how many of them follow the point (`places`);
 * any other form as its text (`written`), '' for the plain form.
 */
let whole = 0;
let places = 0;
let written = '';

/**
 * The number a reader of numberWithUnit returned last (`v`) times 10 to the power `shift`
 * (-3 for milliseconds to seconds), rounded once from the decimal as written: "471 ms" is
 * 0.471 s, where 471 * 1e-3 was 0.47100000000000003, and "1.1%" 0.011, where 1.1 / 100 was
 * 0.011000000000000001. The plain form is its digits times or divided by a power of ten, both
 * exact (at most 15 digits, at most 10^22), so one rounding.
 */
function scaled(v: number, shift: number): number {
  if (shift === 0 || v !== v) return v;
  if (written) return scaledDecimal(written, shift);
  const e = shift - places;
  return e >= 0 ? whole * TEN[e]! : whole / TEN[-e]!;
}

/**
 * How Zoom writes nearly every value, read without a regular expression (a cycle reads
 * hundreds of thousands): digits with a fraction, at most 15 digits in all, at most one space,
 * and one of `units` (lower case; the value's in any ASCII case).
 * Anything else (signs, exponents, other spaces, long numbers) is left to the regular
 * expression: NaN. The number is the integer of all its digits divided by a power of
 * ten, both exact, so the division rounds it as Number() does. Sets `unit`.
 */
function plainNumberWithUnit(value: string, units: readonly string[]): number {
  const n = value.length;
  let i = 0;
  let digits = 0;
  let all = 0;
  let scale = 0;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      all = all * 10 + (c - ZERO);
      digits++;
      if (scale) scale++;
    } else if (c === DOT && !scale && digits) scale = 1;
    else break;
  }
  if (!digits || digits > 15 || scale === 1) return NaN;
  if (i < n && value.charCodeAt(i) === SPACE) i++;
  const u = i < n ? unitAt(value, i, units) : '';
  if (u === undefined) return NaN;
  unit = u;
  whole = all;
  places = scale ? scale - 1 : 0;
  written = '';
  return scale ? all / TEN[scale - 1]! : all;
}

const LOWER_A = 97;
const LOWER_Z = 122;
const UPPER_CASE = 32;

/** Whether `value` from `i` on is `unit` (lower case), ASCII letters in either case. */
function isUnitAt(value: string, i: number, unit: string): boolean {
  if (value.length - i !== unit.length) return false;
  for (let k = 0; k < unit.length; k++) {
    const c = value.charCodeAt(i + k);
    const u = unit.charCodeAt(k);
    if (c !== u && !(u >= LOWER_A && u <= LOWER_Z && c === u - UPPER_CASE)) return false;
  }
  return true;
}

/**
 * The one of `units` that `value` from `i` on is (in any ASCII case), read in place: no slice of
 * the value per value read.
 */
function unitAt(value: string, i: number, units: readonly string[]): string | undefined {
  for (let k = 0; k < units.length; k++) if (isUnitAt(value, i, units[k]!)) return units[k];
  return undefined;
}

/**
 * A reader of "<number> <unit>" for one set of units, its pattern compiled once: the number, its
 * unit in `unit`; NaN when the value is not one.
 */
function numberWithUnit(units: string): (value: unknown) => number {
  const re = new RegExp(`^\\s*${NUMBER}\\s*(${units})?\\s*$`, 'i');
  const plain = units.split('|');
  return (value) => {
    if (typeof value === 'number') {
      unit = '';
      written = String(value);
      return Number.isFinite(value) ? value : NaN;
    }
    if (typeof value !== 'string') return NaN;
    const fast = plainNumberWithUnit(value, plain);
    if (fast === fast) return fast;
    const m = re.exec(value);
    if (!m) return NaN;
    const n = Number(m[1]);
    if (!Number.isFinite(n)) return NaN;
    unit = (m[2] ?? '').toLowerCase();
    written = m[1]!;
    return n;
  };
}

/** Each time unit's power of ten in seconds. */
const TIME_UNITS: Record<string, number> = { '': -3, ms: -3, s: 0, sec: 0, us: -6, µs: -6 };
const time = numberWithUnit('ms|µs|us|sec|s');

// The comparisons below are written so that NaN (not a number) fails them: `!(v >= 0)`.

/** "126 ms" -> 0.126 (seconds). A bare number is taken as milliseconds, Zoom's unit. */
export function parseSeconds(value: unknown): number | undefined {
  const v = time(value);
  if (!(v >= 0)) return refuse(v);
  const s = scaled(v, TIME_UNITS[unit]!);
  return s <= PLAUSIBLE.seconds ? s : refuse(s);
}

const percent = numberWithUnit('%');

/** "0.3%" -> 0.003 (ratio 0 to 1). A bare number is taken as percent. */
export function parseRatio(value: unknown): number | undefined {
  const v = percent(value);
  if (!(v >= 0 && v <= 100)) return refuse(v);
  return scaled(v, -2);
}

/** Each rate unit's power of ten in bits per second. */
const RATE_UNITS: Record<string, number> = { '': 3, bps: 0, kbps: 3, mbps: 6, gbps: 9 };
const rate = numberWithUnit('bps|kbps|mbps|gbps');

/** "27.15 kbps" / "23 Kbps" -> bits per second. A bare number is taken as kbps, Zoom's unit. */
export function parseBitrate(value: unknown): number | undefined {
  const v = rate(value);
  if (!(v >= 0)) return refuse(v);
  const bps = scaled(v, RATE_UNITS[unit]!);
  return bps <= PLAUSIBLE.bitsPerSecond ? bps : refuse(bps);
}

const fps = numberWithUnit('fps');

/** "12 fps" -> 12. */
export function parseFrameRate(value: unknown): number | undefined {
  const v = fps(value);
  return v >= 0 && v <= PLAUSIBLE.framesPerSecond ? v : refuse(v);
}

export interface Resolution {
  width: number;
  height: number;
}

const RESOLUTION = /^\s*(\d+)\s*[*xX×]\s*(\d+)\s*$/;
const TIMES = 0x2a; // *
const TIMES_SIGN = 0xd7; // ×
const X_LOWER = 0x78;
const X_UPPER = 0x58;

/** The digits of `s` from `from` as an integer (at most 15 digits), ending at `stop[0]`; -1 when none. */
function digitsFrom(s: string, from: number, stop: Int32Array): number {
  let n = 0;
  let i = from;
  for (; i < s.length && i - from < 16; i++) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
    n = n * 10 + (c - ZERO);
  }
  stop[0] = i;
  return i === from || i - from > 15 ? -1 : n;
}

const stop = new Int32Array(1);

/**
 * How Zoom writes a resolution ("640x360", "1280*720"), read without the regular expression:
 * digits, a separator, digits, nothing else. Sets `width` and `height`; false when the value is
 * written otherwise (spaces, long numbers), which the regular expression then reads.
 */
function plainResolution(value: string): boolean {
  const w = digitsFrom(value, 0, stop);
  if (w < 0 || stop[0]! >= value.length) return false;
  const sep = value.charCodeAt(stop[0]!);
  if (sep !== X_LOWER && sep !== TIMES && sep !== X_UPPER && sep !== TIMES_SIGN) return false;
  const h = digitsFrom(value, stop[0]! + 1, stop);
  if (h < 0 || stop[0] !== value.length) return false;
  width = w;
  height = h;
  return true;
}

/** The width and height of the text `resolutionOf` read last (0 when none). */
let readText: unknown;
let width = 0;
let height = 0;

/**
 * Reads a resolution into `width` and `height` (0 when not one). A video stream's resolution
 * feeds two rows, width and height: the second reads what the first did.
 */
function resolutionOf(value: unknown): void {
  if (value === readText) return;
  readText = value;
  width = height = 0;
  if (typeof value !== 'string' || plainResolution(value)) return;
  const m = RESOLUTION.exec(value);
  if (!m) return;
  width = Number(m[1]);
  height = Number(m[2]);
}

/**
 * Whether the resolution `resolutionOf` read last is a picture; if not, why ("0*0": no picture,
 * empty; a side past PLAUSIBLE.pixels: implausible; not a resolution: unreadable).
 */
function isPicture(value: unknown): boolean {
  if (width > 0 && height > 0 && width <= PLAUSIBLE.pixels && height <= PLAUSIBLE.pixels) return true;
  refused =
    width > PLAUSIBLE.pixels || height > PLAUSIBLE.pixels
      ? 'implausible'
      : value === readText && typeof value === 'string' && RESOLUTION.test(value)
        ? 'empty'
        : 'unreadable';
  return false;
}

/** "1280*720" / "1920x1080" / "640 X 360" -> {width, height}. "0*0" means no picture: missing. */
export function parseResolution(value: unknown): Resolution | undefined {
  resolutionOf(value);
  return isPicture(value) ? { width, height } : undefined;
}

export const parseWidth = (value: unknown): number | undefined => {
  resolutionOf(value);
  return isPicture(value) ? width : undefined;
};
export const parseHeight = (value: unknown): number | undefined => {
  resolutionOf(value);
  return isPicture(value) ? height : undefined;
};

/**
 * The readers of values Zoom writes as strings with a unit ("126 ms", "0.3%", "27 kbps", "12
 * fps"; zoom-api/README.md), each with the unit a bare JSON number is read in. Such a number
 * (`latency: 5`) is not what Zoom is documented to send (only wifi_rssi is a number): it is read
 * in Zoom's unit, and NormalizeStats.bareNumber counts it and keeps the first to be logged.
 */
export const BARE_NUMBER_UNITS: ReadonlyMap<(value: unknown) => unknown, string> = new Map<
  (value: unknown) => unknown,
  string
>([
  [parseSeconds, 'ms'],
  [parseRatio, '%'],
  [parseBitrate, 'kbps'],
  [parseFrameRate, 'fps'],
]);

const dbm = numberWithUnit('dbm');

/** Wi-Fi RSSI: integers in dBm, sometimes written "-60 dBm". */
export function parseDbm(value: unknown): number | undefined {
  const v = dbm(value);
  return v <= 0 && v >= -150 ? v : refuse(v);
}

const plain = numberWithUnit('');

/** A plain number ("3.65", 3.65), such as Zoom's quality_score. */
export function parseNumber(value: unknown): number | undefined {
  const v = plain(value);
  return v === v ? v : refuse(v);
}

/** Zoom's CPU pressure words, in order of severity; unknown words are missing. */
export const CPU_PRESSURE_LEVELS = ['nominal', 'normal', 'fair', 'serious', 'critical'] as const;
export type CpuPressure = (typeof CPU_PRESSURE_LEVELS)[number];

/** Zoom's quality verdicts (webhook `quality`, `audio_quality`, ...), from best to worst. */
export const QUALITY_LEVELS = ['good', 'fair', 'poor', 'bad'] as const;

/** A reader of one of a list of words (case and spaces ignored); other words are missing. */
export function parseLevelOf<L extends string>(levels: readonly L[]): (value: unknown) => L | undefined {
  return (value) => {
    const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
    if ((levels as readonly string[]).includes(v)) return v as L;
    refused = 'unreadable';
    return undefined;
  };
}

export const parseCpuPressure = parseLevelOf(CPU_PRESSURE_LEVELS);
export const parseQuality = parseLevelOf(QUALITY_LEVELS);

/** A text field (context): trimmed; empty is missing. Numbers are written as text. */
export function parseText(value: unknown): string | undefined {
  const v =
    typeof value === 'string' ? visible(value).trim() : typeof value === 'number' ? String(value) : '';
  if (v) return v;
  refused = 'unreadable';
  return undefined;
}

/** A yes/no field (`recording`, `share_desktop`): "true" or "false"; anything else is missing. */
export function parseFlag(value: unknown): string | undefined {
  if (typeof value === 'boolean') return String(value);
  if (value === 'true' || value === 'false') return value;
  refused = 'unreadable';
  return undefined;
}

/** A list of words (`issue_list`): joined with ", "; an empty list is missing. */
export function parseList(value: unknown): string | undefined {
  if (!Array.isArray(value)) return parseText(value);
  const words = value.map(parseText).filter((v): v is string => v !== undefined);
  if (words.length) return words.join(', ');
  refused = 'unreadable';
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digits `from`..`to` of `s` as a number; -1 when one is not a digit. */
function digitsAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - ZERO;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** A date and time without a zone (`2026-12-05T01:20:00`, `2026-12-05 01:20`): its date, and its time. */
const ZONELESS = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * A Zoom time (`date_time`, `join_time`...) as milliseconds since the epoch (NaN when not a
 * time), as Date.parse reads it, except that one without a zone is UTC, as Zoom's times are
 * (Date.parse took it in the host's zone: under America/New_York a sample was 5 hours ahead and
 * dropped as future). Zoom's usual `2026-11-20T10:29:00Z` is read field by field (a poll reads
 * tens of thousands, most of them only to be skipped as seen); a valid date and time of that
 * exact shape only.
 */
export function parseTime(value: string): number {
  if (
    value.length === 20 &&
    value.charCodeAt(4) === 45 && // -
    value.charCodeAt(7) === 45 &&
    value.charCodeAt(10) === 84 && // T
    value.charCodeAt(13) === 58 && // :
    value.charCodeAt(16) === 58 &&
    value.charCodeAt(19) === 90 // Z
  ) {
    const year = digitsAt(value, 0, 4);
    const month = digitsAt(value, 5, 7);
    const day = digitsAt(value, 8, 10);
    const hour = digitsAt(value, 11, 13);
    const minute = digitsAt(value, 14, 16);
    const second = digitsAt(value, 17, 19);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
    if (year >= 1970 && day >= 1 && day <= days && hour >= 0 && hour < 24 && minute >= 0 && minute < 60)
      if (second >= 0 && second < 60) return Date.UTC(year, month - 1, day, hour, minute, second);
  }
  const zoneless = ZONELESS.exec(value);
  return Date.parse(zoneless ? `${zoneless[1]}T${zoneless[2]}Z` : value);
}
