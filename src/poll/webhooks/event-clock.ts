import { REDELIVERY_WINDOW_MS } from './replay-guard.js';

/**
 * How far an event's `event_ts` may be from the skew Zoom's events have shown and still be taken:
 * 5 minutes, as far as a sample may be dated ahead of Zoom's clock (poll/future.ts).
 */
export const EVENT_TS_STEP_MS = 5 * 60_000;

/**
 * A new skew (a sender whose event clock is ahead of its signed request timestamps by more than
 * EVENT_TS_STEP_MS: `qoswatch simulate --speed` started before the daemon) is adopted once every
 * event for at least this long of request time has shown it, and at least ADOPT_EVENTS of them.
 * Longer than Zoom's push interval (about a minute per participant), so that while real pushes
 * come, one of them interrupts a run of events with a wrong `event_ts`.
 */
export const ADOPT_AFTER_MS = 90_000;
const ADOPT_EVENTS = 3;

/** An `event_ts` further than this from its request timestamp is never taken (1e20, microseconds, seconds). */
export const MAX_SKEW_MS = 366 * 24 * 3_600_000;

/**
 * What was made of one event's `event_ts`: taken (`trusted`), none (`missing`), or not taken
 * because it is ahead of the steady clock (`ahead`), implausibly old (`past`), or the first
 * taken of a new steady skew (`adopted`).
 */
export type EventTsVerdict = 'trusted' | 'missing' | 'ahead' | 'past' | 'adopted';

export interface EventTime {
  /** Zoom's clock when it sent the event, as far as it can be trusted (epoch ms). */
  zoomNow: number;
  verdict: EventTsVerdict;
}

/**
 * Zoom's clock when it sent an event, for refusing samples dated ahead of it (poll/future.ts),
 * from the event's `event_ts` bounded by the signed `x-zm-request-timestamp` (which the receiver
 * has already bounded to `max_age` of its own clock).
 *
 * The clock follows a steady skew of `event_ts` ahead of the request timestamps (0 for Zoom;
 * growing for `qoswatch simulate --speed N`, whose events carry its fast scenario clock and whose
 * signatures carry real time) and refuses a jump:
 * - an `event_ts` within EVENT_TS_STEP_MS of the skew (as it was before this request second) is
 *   taken, and the skew follows it (never below 0: Zoom's clock is not taken to be behind its
 *   own signed request timestamp);
 * - an older one (a retry of an event first sent up to an hour before) is not needed: the
 *   request timestamp plus the skew is later; one older than Zoom's retries could be (more than
 *   two hours; -1, 0, seconds instead of ms) is counted as `past`;
 * - one further ahead is not taken (`ahead`): the request timestamp plus the skew is Zoom's clock
 *   for it. It is adopted as the new skew only when every event for ADOPT_AFTER_MS (and at least
 *   ADOPT_EVENTS) shows it, nothing at the old skew coming between: a one-off far-future
 *   `event_ts` (a day ahead, 1e20) moves nothing.
 * A skew can rise by at most EVENT_TS_STEP_MS per second of request time, so a burst of events
 * each a little further ahead cannot walk it forward either.
 */
export class EventClock {
  /** How far `event_ts` runs ahead of the request timestamps (ms, >= 0). */
  private skew = 0;
  /** The skew before the latest request second: what an event is compared with. */
  private base = 0;
  private baseSecond = -Infinity;
  /** A skew ahead of the steady one, seen by every event since `since`. */
  private candidate: { skew: number; since: number; events: number } | undefined;

  /** `eventTs` as the event gave it (epoch ms), `requestTs` its signed request timestamp (epoch ms). */
  judge(eventTs: number | undefined, requestTs: number): EventTime {
    if (requestTs > this.baseSecond) {
      this.base = this.skew;
      this.baseSecond = requestTs;
    }
    const steady = requestTs + this.skew;
    if (eventTs === undefined) return { zoomNow: steady, verdict: 'missing' };
    const d = eventTs - requestTs;
    if (d < -MAX_SKEW_MS || d < this.base - REDELIVERY_WINDOW_MS) return { zoomNow: steady, verdict: 'past' };
    if (d <= this.base + EVENT_TS_STEP_MS) {
      if (d >= this.base - EVENT_TS_STEP_MS) {
        this.skew = Math.max(0, d);
        this.candidate = undefined;
      }
      return { zoomNow: Math.max(eventTs, requestTs + this.skew), verdict: 'trusted' };
    }
    if (d > MAX_SKEW_MS) return { zoomNow: steady, verdict: 'ahead' };
    const c = this.candidate;
    if (c && d >= c.skew - EVENT_TS_STEP_MS && d <= c.skew + EVENT_TS_STEP_MS) {
      c.skew = d;
      c.events++;
      if (c.events >= ADOPT_EVENTS && requestTs - c.since >= ADOPT_AFTER_MS) {
        this.skew = this.base = d;
        this.candidate = undefined;
        return { zoomNow: eventTs, verdict: 'adopted' };
      }
    } else this.candidate = { skew: d, since: requestTs, events: 1 };
    return { zoomNow: steady, verdict: 'ahead' };
  }

  /** How far Zoom's event clock is taken to run ahead of its request timestamps now (ms). */
  get skewMs(): number {
    return this.skew;
  }
}
