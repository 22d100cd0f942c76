import type { Endpoint } from './endpoints.js';
import { ZoomError } from './errors.js';
import { Paused, type WindowLimiter } from './window-limiter.js';

/**
 * Longest a call waits, in all, on its category's pause after Zoom's 429s: Retry-After of a
 * second or a few is waited out within the call; a longer pause refuses the call, unsent, and
 * the poll cycle defers what needs that category (docs/zoom-client.md).
 */
export const MAX_RATE_LIMIT_WAIT_MS = 30_000;

/** A call's retries so far, and the latest time it waits to for a 429's pause (set at its first). */
export interface Tries {
  failures: number;
  rateLimited: number;
  reauthorized: boolean;
  waitEnd?: number;
}

/**
 * A permit of the endpoint's category, waiting for a pause (a 429's Retry-After) only while it
 * ends by `latest`: a longer one refuses the call at once, unsent, and the caller goes on with
 * other work (a cycle held up to 30 minutes by one endpoint's 429s stopped discovery with it).
 */
export async function permitWithin(
  limiter: WindowLimiter,
  ep: Endpoint,
  latest: number,
  signal?: AbortSignal,
): Promise<(sent?: boolean) => void> {
  try {
    return await limiter.acquire(signal, latest);
  } catch (err) {
    if (err instanceof Paused) throw pausedError(ep, err.until);
    throw err;
  }
}

/** A call not sent (or not sent again) while its category is paused past what it waits. */
export function pausedError(ep: Endpoint, until: number, details: ZoomError['details'] = {}): ZoomError {
  return new ZoomError(
    'ZOOM_RATE_LIMITED',
    `${ep.name}: Zoom's ${ep.category} rate limit pauses these calls until ${new Date(until).toISOString()} (its 429's Retry-After); not sent, asked again then`,
    { ...details, endpoint: ep.name, retryable: true, resetAt: until },
  );
}
