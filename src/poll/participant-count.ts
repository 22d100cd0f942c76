/** The largest participant count Zoom reports for one live instance (webinars hold 100,000 at most). */
export const MAX_PARTICIPANTS = 100_000;

/**
 * A participant count from Zoom's list answers, or 1 when it is absent or absurd (`1e400`,
 * negative, fractional, over MAX_PARTICIPANTS): the first QoS poll then learns the real count.
 * An absurd count would make the instance cost more calls than any budget holds, so it would
 * never be polled.
 */
export function participantCount(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_PARTICIPANTS ? v : 1;
}
