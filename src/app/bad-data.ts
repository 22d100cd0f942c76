import type { Logger } from 'pino';
import { INVALID_REASONS, type InvalidReason, type NormalizeStats } from '../normalize/stats.js';
import type { Clock } from '../util/clock.js';
import { LogOnce } from '../util/log-once.js';
import { LISTED_ID, type NumberRefusal } from '../normalize/listed-id.js';

/**
 * A meeting's or webinar's number (`id`, an int64 in Zoom's spec) refused by discovery
 * (normalize/listed-id.ts): the instance is named by its UUID instead, and still polled. `why` was
 * decided there from the whole value (the form is cut: 40 digits and a letter read as digits
 * only). A whole number refused is one past 2^53, which JSON.parse rounds (12345678901234567890
 * reads as ...567000; 1e21 is written 1e+21): "outside what can be measured" said nothing of that,
 * nor of the UUID. A text of digits only is longer than an int64.
 */
function listedIdRefused(form: string, why: NumberRefusal | undefined): string {
  // A rounded number is said as about it: the digits Zoom sent are gone (9007199254740993 reads as ...992).
  const what =
    why === 'too_long'
      ? `${form}: more digits than an int64's 20`
      : why === 'rounded'
        ? `about ${form}, as JSON reads it: not an exact integer: a JSON number past 2^53 has lost its last digits`
        : `${form}: not a whole number from 0 up`;
  return `Zoom sent meeting or webinar ids qoswatch cannot take (the first: ${what}); those instances are named by their UUID instead`;
}

/**
 * A join's `leave_time` not believed (poll/joins.ts leaveOf): not a time, or dated before
 * samples of the join. The join is taken as present: its alerts carry on.
 */
function leaveRefused(form: string, reason: string): string {
  const what =
    reason === 'implausible' ? 'dated before samples of the same join' : 'in a form qoswatch does not read';
  return `Zoom sent leave_time values ${what} (the first: "${form}"); those joins are taken as still present`;
}

const DAY_MS = 24 * 3_600_000;

/** Bad data from Zoom is counted (metrics) and logged once a day, not on every cycle. */
export class BadDataReport {
  private readonly logOnce: LogOnce;
  private invalidSeen = 0;
  /** NormalizeStats.invalidBy as last logged, and when each reason was last named. */
  private readonly invalidSeenBy = new Map<InvalidReason, number>();
  private readonly invalidLoggedAt = new Map<InvalidReason, number>();

  constructor(
    private readonly stats: NormalizeStats,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.logOnce = new LogOnce(log, () => clock.now(), DAY_MS);
  }

  /** Logs what is new since the last call. */
  report(): void {
    const stats = this.stats;
    if (stats.samplesInvalid > this.invalidSeen) this.reportInvalid();
    if (stats.listedInvalid > 0)
      this.logOnce.warn(
        'listed',
        { total: stats.listedInvalid },
        "skipped entries of Zoom's live lists that are not objects or have no usable uuid (a number, an empty or blank string); those instances are not polled",
      );
    if (stats.samplesFuture > 0)
      this.logOnce.warn(
        'future',
        { total: stats.samplesFuture },
        "refused QoS samples dated more than 5 minutes ahead of Zoom's own clock (a push's event_ts, a polled answer's Date); they are not evaluated",
      );
    for (const [key, { field, reason, form, why }] of stats.refusedForms)
      this.logOnce.warn(
        `value:${key}`,
        {
          field,
          reason,
          form,
          count: (reason === 'implausible' ? stats.valuesImplausible : stats.valuesUnreadable).get(field),
        },
        field === LISTED_ID
          ? listedIdRefused(form, why)
          : field === 'leave_time'
            ? leaveRefused(form, reason)
            : reason === 'implausible'
              ? `Zoom sent ${field} values outside what can be measured (the first: "${form}"); they are skipped`
              : `Zoom sent ${field} values in a form qoswatch does not read (the first: "${form}"); they are skipped`,
      );
    for (const [field, { form, unit }] of stats.bareForms)
      this.logOnce.warn(
        `bare:${field}`,
        { field, form, unit, count: stats.valuesBare.get(field) },
        `Zoom sent ${field} values as bare numbers (the first: ${form}), not as text with a unit ("${form} ${unit}"); read in ${unit}, Zoom's unit for it`,
      );
    for (const [name, count] of stats.unknownStreams)
      this.logOnce.warn(
        `stream:${name}`,
        { stream: name, count },
        `Zoom sent a stream type qoswatch does not know ("${name}"); it is ignored`,
      );
  }

  /**
   * The QoS entries skipped since the last line, split by why (NormalizeStats.invalid):
   * `skipped QoS entries Zoom sent: 1 without a participant id (user_id), 2 not objects`. A line
   * is written when a reason not named within a day comes (each reason once a day, not one line a
   * day for all: hT44 F1), and names every reason counted since its last line.
   */
  private reportInvalid(): void {
    const stats = this.stats;
    const now = this.clock.now();
    const fresh = [...stats.invalidBy].filter(
      ([reason, total]) => total > (this.invalidSeenBy.get(reason) ?? 0),
    );
    const due = fresh.some(([reason]) => {
      const at = this.invalidLoggedAt.get(reason);
      return at === undefined || now - at >= DAY_MS;
    });
    if (!due) return;
    const reasons: Partial<Record<InvalidReason, number>> = {};
    const words: string[] = [];
    let skipped = 0;
    for (const [reason, total] of fresh) {
      const n = total - (this.invalidSeenBy.get(reason) ?? 0);
      this.invalidSeenBy.set(reason, total);
      this.invalidLoggedAt.set(reason, now);
      reasons[reason] = n;
      skipped += n;
      words.push(`${n} ${INVALID_REASONS[reason]}`);
    }
    this.log.warn(
      { skipped, total: stats.samplesInvalid, reasons },
      `skipped QoS entries Zoom sent: ${words.join(', ')}`,
    );
    this.invalidSeen = stats.samplesInvalid;
  }
}
