import { METRICS } from '../evaluate/metrics.js';
import { displayName } from '../evaluate/names.js';
import { formatFigure, formatValue } from '../evaluate/thresholds.js';
import type { ParticipantContext } from '../normalize/sample.js';
import { onOneLine, unseenReplaced } from '../normalize/zoom-text.js';
import { capitalize, plural, shareOf, uniqueWords } from '../util/words.js';
import type { Figures, ParticipantReport, Report } from './types.js';

const byName = new Map(METRICS.map((m) => [m.name, m]));

/** A value in base units, written for people in its metric's unit ("126 ms", "2.1%"). */
export function show(metric: string, v: number | undefined): string {
  const m = byName.get(metric);
  if (v === undefined) return '';
  return m ? formatFigure(v, m) : String(Math.round(v * 100) / 100);
}

/**
 * One sample's value, with the decimals Zoom wrote ("12.5%", "0.03%", "27.15 kbps"), as alerts
 * say it: `inspect`'s rows, where `show`'s fewest decimals (a table of figures) read "13%".
 */
export function showSample(metric: string, v: number): string {
  const m = byName.get(metric);
  return m ? formatValue(v, m) : String(v);
}

export const iso = (t: number | undefined): string =>
  t === undefined ? '' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const hhmm = (t: number | undefined): string => (t === undefined ? '' : iso(t).slice(11, 16));

/**
 * When a participant was in the call, with the same meaning in every format: "11:01-11:25 UTC";
 * with no leave time, "from 11:01 UTC, still in the call" in a live report (an open range, never
 * "11:01-11:01"), and "from 11:01 UTC, no leave time from Zoom" in a past one.
 */
export function inCall(p: ParticipantReport, live: boolean, dash = '-'): string | undefined {
  if (p.joined === undefined) return undefined;
  if (p.left !== undefined) return `${hhmm(p.joined)}${dash}${hhmm(p.left)} UTC`;
  return `from ${hhmm(p.joined)} UTC, ${live ? 'still in the call' : 'no leave time from Zoom'}`;
}

/** The four columns of a figure, written. */
export const figureCells = (metric: string, f: Figures): string[] => [
  show(metric, f.min),
  show(metric, f.avg),
  show(metric, f.max),
  show(metric, f.p95),
];

/** Who a participant is, for an admin: the name, or for a guest "Guest 16781312 (Windows, Wi-Fi)" (names.ts). */
export const who = (p: ParticipantReport): string => displayName(p.name, p.key, p.context);

/** Names longer than this many characters are cut in the table, Markdown and HTML formats and the message. */
export const NAME_MAX = 80;

/**
 * `s` on one line (onOneLine: a name cannot start a line of its own, a fake row in a table; a
 * lone carriage return is left to {@link human}), cut to `max` characters (code points), the
 * last an ellipsis; JSON and CSV keep names whole.
 */
export function shorten(s: string, max = NAME_MAX): string {
  const chars = Array.from(onOneLine(s));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** Who a participant is, as the table, Markdown and HTML formats show it: at most {@link NAME_MAX} characters. */
export const shortWho = (p: ParticipantReport): string => shorten(who(p));

/** An instance's topic (whatever its host typed) as people read it: at most {@link NAME_MAX} characters, like names. */
export const shortTopic = (i: Report['instance']): string => shorten(i.topic) || `${i.kind} ${i.id}`;

/**
 * Text for people (the table, Markdown and HTML formats, the message after a call, inspect):
 * each unseen character of anyone's input in names, topics and locations (the controls but the
 * line feed, bidi marks and overrides, zero-width characters: UNSEEN in normalize/zoom-text.ts)
 * replaced by U+FFFD, so that it shows something was there and cannot reorder or rewrite what
 * surrounds it; U+2028 and U+2029 become a space, as on one line (onOneLine). JSON and CSV keep
 * what Zoom sent.
 */
export const human = (text: string): string => unseenReplaced(text).replace(/[\u2028\u2029]/g, ' ');

/** The context worth a glance: device, network, data center, location, client. */
export function contextLine(c: ParticipantContext): string {
  return [
    uniqueWords([c.device, c.os, c.osVersion]),
    c.networkType,
    c.connectionType,
    c.dataCenter && `data center ${c.dataCenter}`,
    c.location,
    c.client || (c.version && `client ${c.version}`),
  ]
    .filter(Boolean)
    .map((x) => onOneLine(String(x)))
    .join(', ');
}

/**
 * "Weekly sync (meeting 85012345678), 2026-12-05 10:00-10:45 UTC, ended"; an end on another
 * date with its date ("2026-12-05 23:40 to 2026-12-06 00:20 UTC"); no end known (live, none from
 * Zoom, or Zoom's before the start: bad data), "from 2026-12-05 10:00 UTC".
 */
export function titleLine(r: Report): string {
  const i = r.instance;
  return `${shortTopic(i)} (${i.kind} ${i.id}, instance ${i.uuid})${span(i)}, ${i.live ? 'live' : 'ended'}`;
}

function span(i: Report['instance']): string {
  if (i.start === undefined) return '';
  const day = (t: number): string => iso(t).slice(0, 10);
  if (i.end === undefined) return `, from ${day(i.start)} ${hhmm(i.start)} UTC`;
  if (day(i.end) !== day(i.start))
    return `, ${day(i.start)} ${hhmm(i.start)} to ${day(i.end)} ${hhmm(i.end)} UTC`;
  return `, ${day(i.start)} ${hhmm(i.start)}-${hhmm(i.end)} UTC`;
}

/** One line per participant: the headline of who had the worst of it. */
export function headline(r: Report): string {
  const bad = r.participants.filter((p) => p.breaches.length);
  if (!bad.length) return `No participant breached a rule (${plural(r.participants.length, 'participant')}).`;
  const worst = bad[0]!;
  const b = worst.breaches[0]!;
  return `${capitalize(shareOf(bad.length, r.participants.length))} breached a rule; worst: ${shortWho(worst)}, ${b.rule} for ${b.minutes} min (worst ${b.worst})${worst.context.networkType ? `, ${worst.context.networkType}` : ''}.`;
}
