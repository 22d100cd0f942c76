/** `Retry-After` as Zoom sends it: seconds, or a date (ISO 8601 or HTTP date). Epoch ms, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return now + Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
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
