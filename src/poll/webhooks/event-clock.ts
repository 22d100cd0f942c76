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

/**
 * The fastest sender `follow` follows without adopting: `qoswatch simulate --speed 300`, whose
 * event clock runs ahead of real time by 299 ms a millisecond. Between two events the skew may
 * rise by EVENT_TS_STEP_MS plus this rate times the request time between them: the simulator's
 * rounds come every `--push-every` of its fast clock (10 minutes at `--speed 60` is a round every
 * 10 s of real time, 590 s more skew), each round's events at one `event_ts`.
 */
const FOLLOW_MAX_SPEED = 300;
const RISE_PER_MS = FOLLOW_MAX_SPEED - 1;

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
 * Which `event_ts` an app's events are judged by (the app's `event_clock` setting):
 * - `zoom` (default): Zoom's. Its `event_ts` and its signed request timestamp come from the same
 *   clock, so `event_ts` is taken only within EVENT_TS_STEP_MS of the request timestamp;
 *   otherwise the request timestamp is Zoom's clock. Nothing is ever adopted, so no sender
 *   (a secret holder, a broken proxy) can move the clock the app's samples are judged by.
 * - `follow`: a sender whose event clock runs steadily faster than real time
 *   (`qoswatch simulate --speed N`, for tests and trials only): the skew is followed and a new
 *   one adopted, up or down, once it has held (see EventClock).
 */
export const EVENT_CLOCK_MODES = ['zoom', 'follow'] as const;
export type EventClockMode = (typeof EVENT_CLOCK_MODES)[number];

/**
 * Zoom's clock when it sent an event, for refusing samples dated ahead of it (poll/future.ts),
 * from the event's `event_ts` bounded by the signed `x-zm-request-timestamp` (which the receiver
 * has already bounded to `max_age` of its own clock).
 *
 * In `zoom` mode the skew is always 0: an `event_ts` up to EVENT_TS_STEP_MS ahead of the request
 * timestamp is taken (a later request timestamp, a retry's, stands for an older one); one further
 * ahead is `ahead`, one older than Zoom's retries could be is `past`, and the request timestamp
 * is Zoom's clock for both.
 *
 * In `follow` mode the clock follows a steady skew of `event_ts` ahead of the request
 * timestamps (growing for `qoswatch simulate --speed N`, whose events carry its fast scenario
 * clock and whose signatures carry real time) and refuses a jump:
 * - an `event_ts` within EVENT_TS_STEP_MS of the skew (as it was before this request second) is
 *   taken, and the skew follows it (never below 0);
 * - an older one (a retry of an event first sent up to an hour before) is not needed: the
 *   request timestamp plus the skew is later; one older than Zoom's retries could be (more than
 *   two hours; -1, 0, seconds instead of ms) is counted as `past`;
 * - one further ahead is not taken (`ahead`): the request timestamp plus the skew is Zoom's clock
 *   for it;
 * - a skew further ahead, or lower (but not below 0), than the steady one is adopted (`adopted`)
 *   only when every event for ADOPT_AFTER_MS (and at least ADOPT_EVENTS) shows it, nothing at
 *   the steady skew coming between: a one-off far-future `event_ts` moves nothing, and events
 *   at a lower skew win the clock back from one adopted wrongly.
 * A skew can rise by EVENT_TS_STEP_MS within a request second, and between two events by that
 * plus what a sender at FOLLOW_MAX_SPEED gains in the request time between them: a burst of
 * events each a little further ahead cannot walk it forward, and a simulator whose rounds come
 * seconds apart (`--speed 60 --push-every 10m`: 590 s more skew a round, 10 s apart) is followed.
 */
export class EventClock {
  /** How far `event_ts` runs ahead of the request timestamps (ms, >= 0). */
  private skew: number;
  /** The skew before the latest request second: what an event is compared with. */
  private base: number;
  private baseSecond = -Infinity;
  /** The request timestamp of the event that last set the skew (none yet after a start: -Infinity). */
  private skewAt = -Infinity;
  /** `skewAt` of `base`: the window above it grows with the request time since (see `rise`). */
  private baseAt = -Infinity;
  /** A skew other than the steady one, seen by every event since `since`, the latest at `at`. */
  private candidate: { skew: number; since: number; at: number; events: number } | undefined;

  /** `skew`: a `follow` app's skew saved before a restart (ignored in `zoom` mode). */
  constructor(
    readonly mode: EventClockMode,
    skew = 0,
  ) {
    this.skew = this.base = mode === 'follow' && skew >= 0 && skew <= MAX_SKEW_MS ? skew : 0;
  }

  /** `eventTs` as the event gave it (epoch ms), `requestTs` its signed request timestamp (epoch ms). */
  judge(eventTs: number | undefined, requestTs: number): EventTime {
    if (this.mode === 'zoom') return judgeZoom(eventTs, requestTs);
    if (requestTs > this.baseSecond) {
      this.base = this.skew;
      this.baseAt = this.skewAt;
      this.baseSecond = requestTs;
    }
    const steady = requestTs + this.skew;
    if (eventTs === undefined) return { zoomNow: steady, verdict: 'missing' };
    const d = eventTs - requestTs;
    if (d < -MAX_SKEW_MS) return { zoomNow: steady, verdict: 'past' };
    if (d >= this.base - EVENT_TS_STEP_MS && d <= this.base + rise(this.baseAt, requestTs)) {
      this.skew = Math.max(0, d);
      this.skewAt = Math.max(this.skewAt, requestTs);
      this.candidate = undefined;
      return { zoomNow: Math.max(eventTs, requestTs + this.skew), verdict: 'trusted' };
    }
    if (d > MAX_SKEW_MS) return { zoomNow: steady, verdict: 'ahead' };
    if (d >= -EVENT_TS_STEP_MS && this.adopts(d, requestTs)) {
      this.skew = this.base = Math.max(0, d);
      this.skewAt = this.baseAt = requestTs;
      return { zoomNow: requestTs + this.skew, verdict: 'adopted' };
    }
    if (d > this.base) return { zoomNow: steady, verdict: 'ahead' };
    return { zoomNow: steady, verdict: d < this.base - REDELIVERY_WINDOW_MS ? 'past' : 'trusted' };
  }

  /** Whether `d`, off the steady skew, has now been shown by every event for long enough. */
  private adopts(d: number, requestTs: number): boolean {
    const c = this.candidate;
    if (!c || d < c.skew - EVENT_TS_STEP_MS || d > c.skew + rise(c.at, requestTs)) {
      this.candidate = { skew: d, since: requestTs, at: requestTs, events: 1 };
      return false;
    }
    c.skew = d;
    c.at = Math.max(c.at, requestTs);
    c.events++;
    if (c.events < ADOPT_EVENTS || requestTs - c.since < ADOPT_AFTER_MS) return false;
    this.candidate = undefined;
    return true;
  }

  /** How far Zoom's event clock is taken to run ahead of its request timestamps now (ms). */
  get skewMs(): number {
    return this.skew;
  }
}

/**
 * How far above a skew set at request time `at` an event at `requestTs` may be and follow it:
 * EVENT_TS_STEP_MS, plus what a sender at FOLLOW_MAX_SPEED gains in the request time between
 * (none within a request second, nor for a skew restored at a start: a burst of events, or a
 * first one, cannot walk it forward more than EVENT_TS_STEP_MS).
 */
const rise = (at: number, requestTs: number): number =>
  EVENT_TS_STEP_MS + (at === -Infinity ? 0 : RISE_PER_MS * Math.max(0, requestTs - at));

/** `zoom` mode: `event_ts` only as far as the signed request timestamp vouches for it. */
function judgeZoom(eventTs: number | undefined, requestTs: number): EventTime {
  if (eventTs === undefined) return { zoomNow: requestTs, verdict: 'missing' };
  const d = eventTs - requestTs;
  if (d > EVENT_TS_STEP_MS) return { zoomNow: requestTs, verdict: 'ahead' };
  if (d < -REDELIVERY_WINDOW_MS) return { zoomNow: requestTs, verdict: 'past' };
  return { zoomNow: Math.max(eventTs, requestTs), verdict: 'trusted' };
}
