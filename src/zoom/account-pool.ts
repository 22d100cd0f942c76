import { ZoomError } from './errors.js';
import { dailyResetAt } from './retry-after.js';
import type { AnswerDate } from './zoom-clock.js';

/**
 * Zoom's own word on the account's daily pool (every app on the account draws from it): a
 * daily-limit 429's hold, and the pool's count as its answers' `X-RateLimit-Remaining` give it.
 *
 * A count is Zoom's until the pool's reset after the answer that gave it: Zoom's next 00:00 UTC,
 * on Zoom's clock as that answer's `Date` gave it (when ZoomClock took it), put on this machine's
 * clock (dailyResetAt). The facts sheet names no header saying when the pool resets (no
 * `X-RateLimit-Reset`): the hour is Zoom's documented 00:00 UTC, the clock is the answer's.
 * Counted on our clock's midnight, a Zoom 3 minutes behind ours had its empty pool taken as full
 * at our 00:00 (a call refused with a 429), one 3 minutes ahead held every call 3 minutes past
 * Zoom's reset.
 *
 * Reading is pure: a count past its reset is not read (time alone forgets it); only observe()
 * and the calls counted change what is kept.
 */
export class AccountPool {
  private blockedUntil = 0;
  /** What Zoom last said is left of the pool, and until when that holds. */
  private seen: { remaining: number; until: number } | undefined;

  /** Zoom's `X-RateLimit-Remaining` of the daily pool, from an answer that came `now` dated `sent`. */
  observe(remaining: number, now: number, sent?: AnswerDate): void {
    this.seen = { remaining, until: dailyResetAt(now, sent) };
  }

  /** What Zoom said is left of the pool, with the calls counted since; undefined past its reset or before any. */
  remaining(now: number): number | undefined {
    return this.seen && now < this.seen.until ? this.seen.remaining : undefined;
  }

  /** A call made (1) or given back (-1): Zoom's count as it will stand. */
  count(calls: number, now: number): void {
    if (this.seen && now < this.seen.until) this.seen.remaining -= calls;
  }

  /**
   * A daily-limit 429: nothing goes out until `resetAt`. Zoom's count ends then too: the 429's
   * Retry-After is Zoom's word on when to retry (shared/zoom-api/README.md), and its
   * `X-RateLimit-Remaining: 0`, observed first, held every call until midnight past it.
   */
  blockUntil(resetAt: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, resetAt);
    if (this.seen && resetAt < this.seen.until) this.seen.until = resetAt;
  }

  /** A daily-limit 429's hold standing at `now` (0: none). */
  held(now: number): number {
    return now < this.blockedUntil ? this.blockedUntil : 0;
  }

  /**
   * Until when Zoom's daily limit stops every call (0: it does not): a daily-limit 429's hold,
   * or Zoom's own count at 0 until the reset it holds until.
   */
  blocked(now: number): number {
    if (now < this.blockedUntil) return this.blockedUntil;
    const left = this.remaining(now);
    return left !== undefined && left <= 0 ? this.seen!.until : 0;
  }

  /** Throws while Zoom's daily limit stops every call. */
  check(endpoint: string, now: number): void {
    const until = this.blocked(now);
    if (!until) return;
    const message =
      now < this.blockedUntil
        ? `Zoom's daily API limit is reached; calls resume at ${new Date(until).toISOString()}`
        : `Zoom says the account's daily API pool is empty; calls resume at ${new Date(until).toISOString()}`;
    throw new ZoomError('ZOOM_DAILY_LIMIT', message, { endpoint, retryable: true, resetAt: until });
  }
}
