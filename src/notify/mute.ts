import type { Alert } from '../evaluate/alert.js';
import { compileMatchers, type LabelTest } from './matchers.js';
import { equalLabels } from './pipeline/instance-labels.js';
import type { Muter } from './pipeline/muting.js';
import type { InhibitSettings, SilenceSettings } from './settings.js';

/** Day names as `Intl` gives them, Sunday first (day 0). */
export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

interface Silence {
  test: LabelTest;
  startsAt?: number;
  endsAt?: number;
  recurring?: { days: Set<number>; start: number; end: number; zone: string };
  comment: string;
}

/**
 * One format per time zone, made once: making one is most of the cost (silenceOverlaps asked
 * each minute of an episode, up to a week: 0.4 s of CPU an alert, a flush, when made each time).
 * The zones are the config's, a handful.
 */
const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Day of week (0 = Sunday) and minute of day of `t` in `zone`. */
function localTime(t: number, zone: string): { day: number; minute: number } {
  let format = FORMATS.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    FORMATS.set(zone, format);
  }
  const parts = format.formatToParts(t);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3) as (typeof DAYS)[number]),
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

export function compileSilence(s: SilenceSettings): Silence {
  return {
    test: compileMatchers(s.matchers),
    ...(s.startsAt !== undefined ? { startsAt: s.startsAt } : {}),
    ...(s.endsAt !== undefined ? { endsAt: s.endsAt } : {}),
    ...(s.recurring ? { recurring: { ...s.recurring, days: new Set(s.recurring.days) } } : {}),
    comment: s.comment,
  };
}

export function silenceActive(s: Silence, now: number): boolean {
  if (s.startsAt !== undefined && now < s.startsAt) return false;
  if (s.endsAt !== undefined && now >= s.endsAt) return false;
  if (!s.recurring) return true;
  const { day, minute } = localTime(now, s.recurring.zone);
  const { days, start, end } = s.recurring;
  if (start <= end) return days.has(day) && minute >= start && minute < end;
  // A window across midnight belongs to the day it starts on.
  return (days.has(day) && minute >= start) || (days.has((day + 6) % 7) && minute < end);
}

const MINUTE = 60_000;
const DAY_MINUTES = 1440;
const WEEK_MINUTES = 7 * DAY_MINUTES;
const WEEK = WEEK_MINUTES * MINUTE;

/** The zone's offset from UTC at `t`, in minutes, from its local day and minute (within a week). */
function offsetAt(t: number, zone: string): number {
  const { day, minute } = localTime(t, zone);
  const d = new Date(t);
  const utc = d.getUTCDay() * DAY_MINUTES + d.getUTCHours() * 60 + d.getUTCMinutes();
  const diff = (((day * DAY_MINUTES + minute - utc) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
  return diff > WEEK_MINUTES / 2 ? diff - WEEK_MINUTES : diff;
}

/** Local minutes from (`day`, `minute`) to the window's next start on one of its days (1 to a week). */
function minutesToNextStart(
  r: { days: ReadonlySet<number>; start: number },
  day: number,
  minute: number,
): number {
  let best = WEEK_MINUTES;
  for (const d of r.days) {
    const ahead =
      ((((d - day) * DAY_MINUTES + r.start - minute) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
    best = Math.min(best, ahead || WEEK_MINUTES);
  }
  return best;
}

/**
 * Whether the silence is active at some time in [from, to]. A recurring window starts and ends
 * on a minute of local time, which is a UTC minute boundary (zones are whole minutes off UTC).
 * From `from`, while it is not active, the next instant looked at is the window's next start:
 * that many local minutes on, less any change of the zone's offset in between (so a clock put
 * forward never takes it past a start), not each minute (a week of silence asked 10,080 times,
 * 22 ms an alert at each flush). A span of a week or more meets every window that has a day.
 */
export function silenceOverlaps(s: Silence, from: number, to: number): boolean {
  const start = Math.max(from, s.startsAt ?? from);
  const end = Math.min(to, s.endsAt === undefined ? to : s.endsAt - 1);
  if (start > end) return false;
  const r = s.recurring;
  if (!r) return true;
  if (!r.days.size || r.start === r.end) return false;
  if (end - start >= WEEK) return true;
  for (let t = start; t <= end;) {
    if (silenceActive(s, t)) return true;
    const { day, minute } = localTime(t, r.zone);
    const ahead = minutesToNextStart(r, day, minute);
    const next = (Math.floor(t / MINUTE) + ahead) * MINUTE;
    const shift = Math.abs(offsetAt(next, r.zone) - offsetAt(t, r.zone));
    t = Math.max((Math.floor(t / MINUTE) + 1) * MINUTE, next - shift * MINUTE);
  }
  return false;
}

/** Silences from config, inhibit rules from config, and the rule engine's own "explained by" links. */
export class ConfigMuter implements Muter {
  private readonly silences: Silence[];
  private readonly inhibit: { source: LabelTest; target: LabelTest; equal: string[] }[];

  constructor(silences: readonly SilenceSettings[] = [], inhibitRules: readonly InhibitSettings[] = []) {
    this.silences = silences.map(compileSilence);
    this.inhibit = inhibitRules.map((r) => ({
      source: compileMatchers(r.sourceMatch),
      target: compileMatchers(r.targetMatch),
      equal: r.equal,
    }));
  }

  muted(alert: Alert, firing: readonly Alert[], now: number): string | undefined {
    for (const s of this.silences) if (s.test(alert.labels) && silenceActive(s, now)) return silenced(s);
    // The rule engine links an alert to the incident that explained it when it fired (sticky).
    if (alert.inhibitedBy) return `explained by ${alert.inhibitedBy}`;
    for (const r of this.inhibit) {
      if (!r.target(alert.labels)) continue;
      const source = firing.find(
        (f) => f.id !== alert.id && r.source(f.labels) && equalLabels(r.equal, f.labels, alert.labels),
      );
      if (source) return `inhibited by ${source.id}`;
    }
    return undefined;
  }

  silencedDuring(alert: Alert, from: number, to: number): string | undefined {
    const s = this.silences.find((x) => x.test(alert.labels) && silenceOverlaps(x, from, to));
    return s && silenced(s);
  }
}

const silenced = (s: Silence): string => `silenced${s.comment ? `: ${s.comment}` : ''}`;
