import type { NumberRefusal } from './listed-id.js';
import { BARE_NUMBER_UNITS, lastRefusal, type Refusal } from './values.js';

/** How much of a refused value's first form is kept to be logged. */
const FORM_MAX = 60;

/** A value present but empty: Zoom's "" (or null, or blanks) for nothing measured. */
const isEmpty = (value: unknown): boolean =>
  value === null || (typeof value === 'string' && value.trim() === '');

/** How a refused value was written, to be logged: a string as it is, anything else as JSON. */
export const formOf = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));

/**
 * Why a QoS entry or sample was skipped whole (NormalizeStats.invalid), as the log says it
 * (bad-data.ts, `qoswatch once`).
 */
export const INVALID_REASONS = {
  no_participant_id: 'without a join key (user_id; Video SDK sessions: id)',
  bad_join_key: 'whose join key (user_id; Video SDK sessions: id) is blank or holds a control character',
  no_date_time: 'with a sample that has no usable date_time, or is no object',
  not_object: 'participant entries that are not objects',
  samples_not_list: "whose samples (user_qos; a push's qos) are not a list",
  past_page_size: "past ten times their page's page_size",
  repeated_join:
    'repeating a join key (user_id; Video SDK sessions: id) already on the same page (the first is kept)',
  no_details: 'webhook QoS items without details',
  not_qos_record: 'webhook bodies that are not QoS records',
} as const;
export type InvalidReason = keyof typeof INVALID_REASONS;

/** Counts what normalization saw, for logs and (later) metrics. Bad data is counted, never thrown. */
export class NormalizeStats {
  samplesParsed = 0;
  /** Entries and samples skipped whole (`invalid`), by why. */
  readonly invalidBy = new Map<InvalidReason, number>();
  /** Discovery entries skipped: not an object, or without a usable instance id (listed-id.ts). */
  listedInvalid = 0;
  /**
   * QoS reads whose list changed while it was paged (a join on two pages, or a `total_records`
   * that changed): the repeat skipped, not bad data; nobody taken as gone by it (qos-read.ts).
   */
  pagingDrift = 0;
  /** Entries not read because the same join's sample at that time was handed on before (Zoom repeats the last minutes). */
  samplesRepeated = 0;
  /**
   * Samples dated more than FUTURE_TOLERANCE_MS ahead of Zoom's own clock (a push's `event_ts`,
   * a polled answer's `Date`): refused, so that a wrong date never becomes a join's newest
   * minute and every real one late.
   */
  samplesFuture = 0;
  /** Values present but empty (Zoom's "", "0*0"), by field ("latency", "bitrate", ...). */
  readonly valuesMissing = new Map<string, number>();
  /** Values in a form not understood ("12 parsecs", 42 for a level word), by field: skipped. */
  readonly valuesUnreadable = new Map<string, number>();
  /** Numbers outside what can be measured (negative latency, "126 sec", "250%"), by field: skipped. */
  readonly valuesImplausible = new Map<string, number>();
  /**
   * The first unreadable or implausible form of each field and reason (cut short), to be logged
   * once; `why`, for a meeting number, is why it was refused, decided from the whole value.
   */
  readonly refusedForms = new Map<
    string,
    { field: string; reason: Refusal; form: string; why?: NumberRefusal }
  >();
  /** Bare JSON numbers where Zoom writes a string with its unit (`latency: 5`), by field: read in Zoom's unit. */
  readonly valuesBare = new Map<string, number>();
  /** The first bare number of each field, and the unit it was read in, to be logged once. */
  readonly bareForms = new Map<string, { form: number; unit: string }>();
  /** Stream objects of a kind we do not know, by name: ignored, counted so new ones get noticed. */
  readonly unknownStreams = new Map<string, number>();

  /** Entries and samples skipped whole, for every reason: the total of `invalidBy`. */
  get samplesInvalid(): number {
    let n = 0;
    for (const count of this.invalidBy.values()) n += count;
    return n;
  }

  /** `count` entries or samples skipped whole for `reason`. */
  invalid(reason: InvalidReason, count = 1): void {
    this.invalidBy.set(reason, (this.invalidBy.get(reason) ?? 0) + count);
  }

  /**
   * A value of `field` no reader took: empty, or refused for the reason its reader gave
   * (values.ts's lastRefusal, read here right after the reader returned undefined).
   */
  missing(field: string, value?: unknown): void {
    const reason = value === undefined || isEmpty(value) ? 'empty' : lastRefusal();
    this.refuse(field, reason, formOf(value));
  }

  /**
   * A stream (`audio_output`...) that is not an object ("garbage", 42, a list): none of its values
   * can be read. Counted as its field's value, empty (null, "") or unreadable.
   */
  notAnObject(field: string, value: unknown): void {
    this.refuse(field, isEmpty(value) ? 'empty' : 'unreadable', formOf(value));
  }

  /**
   * A value of `field` refused for `reason` (`form`: how it was written; `why`: a meeting
   * number's reason, listed-id.ts): counted, its first form (cut to FORM_MAX) and why kept.
   */
  refuse(field: string, reason: Refusal, form: string, why?: NumberRefusal): void {
    const counts =
      reason === 'empty'
        ? this.valuesMissing
        : reason === 'unreadable'
          ? this.valuesUnreadable
          : this.valuesImplausible;
    counts.set(field, (counts.get(field) ?? 0) + 1);
    if (reason === 'empty' || this.refusedForms.has(`${field}:${reason}`)) return;
    const first = { field, reason, form: form.slice(0, FORM_MAX) };
    this.refusedForms.set(`${field}:${reason}`, why === undefined ? first : { ...first, why });
  }
  /** A number of `field` that `parse` read: counted (with its first) when Zoom writes that field with a unit. */
  bareNumber(field: string, value: number, parse: (value: unknown) => unknown): void {
    const unit = BARE_NUMBER_UNITS.get(parse);
    if (unit === undefined) return;
    this.valuesBare.set(field, (this.valuesBare.get(field) ?? 0) + 1);
    if (!this.bareForms.has(field)) this.bareForms.set(field, { form: value, unit });
  }
  unknownStream(name: string): void {
    this.unknownStreams.set(name, (this.unknownStreams.get(name) ?? 0) + 1);
  }
}
