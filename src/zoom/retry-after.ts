/**
 * `Retry-After` as Zoom sends it: whole seconds (HTTP's delay-seconds, digits only), or a date
 * (ISO 8601 or HTTP date). Epoch ms, or undefined when it asks for no wait: unreadable (a
 * fraction `0.4` or a sign is not delay-seconds: `0.001` made 7 requests in 167 ms), or a time
 * not after `now` (`0`, a date already past), which would retry at once, back to back; the
 * caller then waits as without one (one rate-limit window). A number is never read as a date
 * (`Date.parse('-1')` is 2001-01-01).
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^[+-]?[\d.]+$/.test(v) && !/^\d+$/.test(v)) return undefined;
  const at = /^\d+$/.test(v) ? now + Number(v) * 1000 : Date.parse(v);
  return Number.isFinite(at) && at > now ? at : undefined;
}

/** Longest wait a daily-limit 429 may impose (Zoom's daily pool resets every 24 hours). */
export const MAX_DAILY_RETRY_AFTER_MS = 24 * 3_600_000;
/** Longest wait a per-second or per-minute 429 may impose. */
export const MAX_RATE_RETRY_AFTER_MS = 5 * 60_000;

/**
 * `retryAt` no further than `maxMs` from `now`: a `Retry-After: 99999999999` must not stop
 * a rate-limit category for good. Says whether it had to cut it.
 */
export function capRetryAt(retryAt: number, now: number, maxMs: number): { at: number; capped: boolean } {
  return retryAt - now > maxMs ? { at: now + maxMs, capped: true } : { at: retryAt, capped: false };
}
