import { plural } from '../util/words.js';
import { nextUtcMidnight } from './budget-record.js';
import { ZOOM_CLOCK_TOLERANCE_MS, type AnswerDate } from './zoom-clock.js';

/**
 * `Retry-After` as Zoom sends it: whole seconds (HTTP's delay-seconds, digits only), or a date
 * (ISO 8601 or HTTP date). Epoch ms on our clock, or undefined when it asks for no wait:
 * unreadable (a fraction `0.4` or a sign is not delay-seconds: `0.001` made 7 requests in
 * 167 ms), or a time not after `now` (`0`, a date already past), which would retry at once, back
 * to back; the caller then waits as without one (one rate-limit window). A number is never read
 * as a date (`Date.parse('-1')` is 2001-01-01).
 *
 * A date is Zoom's clock: its wait is measured from the answer's own `Date` (`sent`, as
 * ZoomClock read it), the same clock, and starts `now`; from `now` only when the answer has no
 * readable `Date`. Read against our clock, a Zoom 6 minutes ahead made `Retry-After: <Date + 12 s>`
 * a 5-minute wait (capped), and one 2 minutes behind made it a date already past (one window
 * instead of 12 s). A `Date` ZoomClock refused (over 5 minutes from our clock) may be Zoom's clock
 * gone wrong, or ours, or a proxy's stamped on Zoom's answer: the date is read both ways, from
 * that `Date` and against our clock (the one ZoomClock then takes as Zoom's), and the shorter
 * wait still ahead is kept: a clock not trusted can shorten the wait, never lengthen it. Read
 * from the refused `Date` alone, a proxy 10 minutes behind made `Retry-After: <Zoom's now + 12 s>`
 * a 10-minute wait (cut to 5, counted as capped), one 10 minutes ahead a date already past (one
 * window); Zoom's own clock 6 minutes ahead still waits 12 s.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number,
  sent?: AnswerDate,
): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^[+-]?[\d.]+$/.test(v) && !/^\d+$/.test(v)) return undefined;
  if (/^\d+$/.test(v)) return ahead(now + Number(v) * 1000, now);
  const date = Date.parse(v);
  if (!sent) return ahead(date, now);
  const fromDate = ahead(now + date - sent.at, now);
  if (sent.taken) return fromDate;
  const fromOurs = ahead(date, now);
  return fromDate === undefined || fromOurs === undefined
    ? (fromDate ?? fromOurs)
    : Math.min(fromDate, fromOurs);
}

/** `at` when it is a time after `now`; undefined otherwise (NaN included). */
const ahead = (at: number, now: number): number | undefined =>
  Number.isFinite(at) && at > now ? at : undefined;

/**
 * When Zoom's daily pool resets, on this machine's clock: the next 00:00 UTC on Zoom's clock (its
 * answer's `Date` when ZoomClock took it, else this machine's), never later than this machine's
 * next 00:00 UTC plus ZOOM_CLOCK_TOLERANCE_MS. A daily-limit 429 holds calls no longer than this.
 * The facts sheet (shared/zoom-api/README.md) gives no hour; Zoom's rate-limits page shows a
 * `X-RateLimit-Type: Daily-limit` 429 with `Retry-After: 2020-05-31T00:00:00Z`, its per-user
 * daily limit's message says "You may resume these requests at GMT 00:00:00", and its developer
 * forum's staff say daily rate limits reset at 00:00 UTC.
 *
 * The bound: a `Date` up to 5 minutes ahead (a proxy's, a load-balanced host's) in the last
 * minutes before our 00:00 is already past Zoom's midnight, and its next midnight is a day away:
 * an empty pool at our 23:58 held every call ~24 hours. A `Date` is trusted to within the
 * tolerance, so Zoom's reset is no later than ours plus it; a Zoom truly behind by up to that
 * still holds to its own midnight. Not bounded when the `Date` is further off and was still taken
 * (`zoom.date_clock: zoom`, a simulator run ahead of real time): the user said to follow it.
 */
export function dailyResetAt(now: number, sent?: AnswerDate): number {
  const zoomNow = sent?.taken ? sent.at : now;
  const zoomReset = now + nextUtcMidnight(zoomNow) - zoomNow;
  if (Math.abs(zoomNow - now) > ZOOM_CLOCK_TOLERANCE_MS) return zoomReset;
  return Math.min(zoomReset, nextUtcMidnight(now) + ZOOM_CLOCK_TOLERANCE_MS);
}
/** Longest wait a per-second or per-minute 429 may impose. */
export const MAX_RATE_RETRY_AFTER_MS = 5 * 60_000;
/**
 * Longest wait a 429 may impose that is taken as the daily limit only by its long `Retry-After`
 * (no `X-RateLimit-Type`, no "daily" in its message): every call stops, since the daily pool is
 * shared by both categories, but for 15 minutes at most. Zoom's limits are per second, per minute
 * and per day (named by X-RateLimit-Type); an answer that names none and asks for hours (a proxy,
 * `Retry-After: 99999999`) stopped the monitor for 24 hours. If it was the daily limit, the call
 * after 15 minutes is refused again and stops calls again: one refused call each 15 minutes.
 */
export const MAX_UNSAID_RETRY_AFTER_MS = 15 * 60_000;

/**
 * `retryAt` no further than `maxMs` from `now`: a `Retry-After: 99999999999` must not stop
 * a rate-limit category for good. Says whether it had to cut it.
 */
export function capRetryAt(retryAt: number, now: number, maxMs: number): { at: number; capped: boolean } {
  return retryAt - now > maxMs ? { at: now + maxMs, capped: true } : { at: retryAt, capped: false };
}

/** A wait as the log says it: `24 hours`, `15 minutes`. */
export const inWords = (ms: number): string =>
  ms % 3_600_000 === 0 ? plural(ms / 3_600_000, 'hour') : plural(ms / 60_000, 'minute');

/**
 * Where a 429's pause comes from, as its messages say it after the pause's end: "until
 * 07:39:08Z (<this>)". Without a usable Retry-After the pause is one window of the category,
 * and saying "its Retry-After" then sent a reader looking for a header Zoom never sent.
 */
export function pauseOrigin(header: string | null, asked: number | undefined, cappedAtMs?: number): string {
  const value = header?.trim() ?? '';
  if (value === '') return 'one window of the category; the 429 gave no Retry-After';
  if (asked === undefined)
    return "one window of the category; the 429's Retry-After asks for no wait (unreadable, or a time already past)";
  if (cappedAtMs !== undefined) return `the 429's Retry-After, cut to ${inWords(cappedAtMs)}`;
  return /^\d+$/.test(value) ? `the 429's Retry-After: ${value} s` : "the 429's Retry-After date";
}

/**
 * A Retry-After longer than qoswatch waits: what Zoom asked, whether it was taken as the daily
 * limit, and the wait qoswatch takes instead (`maxMs`).
 */
export interface CappedRetryAfter {
  askedMs: number;
  daily: boolean;
  maxMs: number;
  /** A daily-limit 429 whose Retry-After is past the daily pool's reset: cut to that reset (dailyResetAt). */
  toReset?: true;
}

/** What the log says of a Retry-After cut (logged once per endpoint). */
export function cappedText(c: CappedRetryAfter): string {
  if (c.toReset)
    return "Zoom's daily-limit Retry-After is past the daily pool's reset at 00:00 UTC; every call stops until that reset instead";
  const unsaid = c.maxMs === MAX_UNSAID_RETRY_AFTER_MS;
  return `Zoom's Retry-After is longer than ${inWords(c.maxMs)}; waiting that long instead${unsaid ? ' (the answer names no rate limit: every call stops, as for the daily limit, then is asked again)' : ''}`;
}
