/** Exponential backoff: how long to wait before a retry, and how it grows. */
export interface Backoff {
  /** The first wait. */
  baseMs: number;
  /** The longest wait. */
  capMs: number;
}

/**
 * The wait before retry number `attempt` (0 for the first retry): `baseMs · 2^attempt`, capped
 * at `capMs`, times a random factor in [0.5, 1) so that clients that failed together do not
 * retry together. Shared by the Zoom client and the notification dispatcher.
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  return Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt) * (0.5 + random() / 2);
}
