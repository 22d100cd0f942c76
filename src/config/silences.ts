import { DAYS } from '../notify/mute.js';
import type { InhibitSettings, SilenceSettings } from '../notify/settings.js';
import { DEFAULTS } from './defaults.js';
import type { RawInhibitRule, RawSilence } from './raw.js';

/** Minutes of the day of `HH:MM`. */
const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** Expands `weekdays`, `weekends` and day names to day numbers (0 = Sunday); none is every day. */
function dayNumbers(days: readonly string[] | undefined): number[] {
  if (!days?.length) return [0, 1, 2, 3, 4, 5, 6];
  const out = new Set<number>();
  for (const d of days.map((x) => x.toLowerCase())) {
    if (d === 'weekdays') [1, 2, 3, 4, 5].forEach((x) => out.add(x));
    else if (d === 'weekends') [0, 6].forEach((x) => out.add(x));
    else out.add(DAYS.indexOf(d.slice(0, 3) as (typeof DAYS)[number]));
  }
  return [...out];
}

/** A `silences:` entry as notify/ takes it: times in ms, days as numbers, defaults filled in. */
export function silenceSettings(raw: RawSilence): SilenceSettings {
  const r = raw.recurring;
  return {
    matchers: raw.matchers,
    ...(raw.starts ? { startsAt: Date.parse(raw.starts) } : {}),
    ...(raw.ends ? { endsAt: Date.parse(raw.ends) } : {}),
    ...(r
      ? {
          recurring: {
            days: dayNumbers(r.days),
            start: minutes(r.start),
            end: minutes(r.end),
            zone: r.time_zone ?? DEFAULTS.silence.time_zone,
          },
        }
      : {}),
    comment: raw.comment ?? DEFAULTS.silence.comment,
  };
}

/** An `inhibit_rules:` entry as notify/ takes it. */
export function inhibitSettings(raw: RawInhibitRule): InhibitSettings {
  return {
    sourceMatch: raw.source_match,
    targetMatch: raw.target_match,
    equal: raw.equal ?? [...DEFAULTS.inhibit_rule.equal],
  };
}
