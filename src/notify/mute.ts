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
 * One format per time zone, made once: making one is most of the cost, and silenceOverlaps asks
 * each minute of an episode (up to a week: 0.4 s of CPU an alert, a flush, when made each time).
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
const WEEK = 7 * 86_400_000;

/**
 * Whether the silence is active at some time in [from, to]. A recurring window starts and ends
 * on a minute of local time, which is a UTC minute boundary (zones are whole minutes off UTC):
 * `from` and each minute boundary after it up to `to` are all the instants to look at; a span of
 * a week or more meets every window that has a day.
 */
export function silenceOverlaps(s: Silence, from: number, to: number): boolean {
  const start = Math.max(from, s.startsAt ?? from);
  const end = Math.min(to, s.endsAt === undefined ? to : s.endsAt - 1);
  if (start > end) return false;
  if (!s.recurring) return true;
  if (end - start >= WEEK) return s.recurring.days.size > 0 && s.recurring.start !== s.recurring.end;
  for (let t = start; t <= end; t = (Math.floor(t / MINUTE) + 1) * MINUTE)
    if (silenceActive(s, t)) return true;
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
