import type { Alert } from '../evaluate/alert.js';
import { compileMatchers, type LabelTest, type Matchers } from './matchers.js';
import { equalLabels } from './pipeline/instance-labels.js';
import type { Muter } from './pipeline/muting.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface RawSilence {
  matchers: Matchers;
  starts?: string;
  ends?: string;
  /** Recurring windows such as quiet hours: days, start and end times of day, time zone. */
  recurring?: { days?: string[]; start: string; end: string; time_zone?: string };
  comment?: string;
}

interface Silence {
  test: LabelTest;
  startsAt?: number;
  endsAt?: number;
  recurring?: { days: Set<number>; start: number; end: number; zone: string };
  comment: string;
}

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** Day of week (0 = Sunday) and minute of day of `t` in `zone`. */
function localTime(t: number, zone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(t);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3) as (typeof DAYS)[number]),
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

/** Expands `weekdays`, `weekends` and day names to day numbers. */
export function dayNumbers(days: readonly string[] | undefined): Set<number> {
  if (!days?.length) return new Set([0, 1, 2, 3, 4, 5, 6]);
  const out = new Set<number>();
  for (const d of days.map((x) => x.toLowerCase())) {
    if (d === 'weekdays') [1, 2, 3, 4, 5].forEach((x) => out.add(x));
    else if (d === 'weekends') [0, 6].forEach((x) => out.add(x));
    else out.add(DAYS.indexOf(d.slice(0, 3) as (typeof DAYS)[number]));
  }
  return out;
}

export function compileSilence(raw: RawSilence): Silence {
  return {
    test: compileMatchers(raw.matchers),
    ...(raw.starts ? { startsAt: Date.parse(raw.starts) } : {}),
    ...(raw.ends ? { endsAt: Date.parse(raw.ends) } : {}),
    ...(raw.recurring
      ? {
          recurring: {
            days: dayNumbers(raw.recurring.days),
            start: minutes(raw.recurring.start),
            end: minutes(raw.recurring.end),
            zone: raw.recurring.time_zone ?? 'UTC',
          },
        }
      : {}),
    comment: raw.comment ?? '',
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

export interface RawInhibitRule {
  source_match: Matchers;
  target_match: Matchers;
  /**
   * Labels that must be equal on both (e.g. instance: a meeting alert mutes that meeting's
   * participant alerts; `instance` takes `instance_uuid` too, pipeline/instance-labels.ts).
   */
  equal?: string[];
}

/** Silences from config, inhibit rules from config, and the rule engine's own "explained by" links. */
export class ConfigMuter implements Muter {
  private readonly silences: Silence[];
  private readonly inhibit: { source: LabelTest; target: LabelTest; equal: string[] }[];

  constructor(silences: readonly RawSilence[] = [], inhibitRules: readonly RawInhibitRule[] = []) {
    this.silences = silences.map(compileSilence);
    this.inhibit = inhibitRules.map((r) => ({
      source: compileMatchers(r.source_match),
      target: compileMatchers(r.target_match),
      equal: r.equal ?? [],
    }));
  }

  muted(alert: Alert, firing: readonly Alert[], now: number): string | undefined {
    for (const s of this.silences)
      if (s.test(alert.labels) && silenceActive(s, now))
        return `silenced${s.comment ? `: ${s.comment}` : ''}`;
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
}
