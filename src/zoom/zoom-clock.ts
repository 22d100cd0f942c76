import type { Clock } from '../util/clock.js';
import type { LogOnce } from '../util/log-once.js';

/**
 * How far Zoom's clock (an answer's `Date`) may be from this machine's and still be taken: as far
 * as a sample may be dated ahead of it (poll/future.ts), and as far as a push's `event_ts` may be
 * from its request timestamp (webhooks/event-clock.ts).
 */
export const ZOOM_CLOCK_TOLERANCE_MS = 5 * 60_000;

/**
 * How long the `Date`s must stay within ZOOM_CLOCK_TOLERANCE_MS, with no answer off it, before a
 * skew is a new episode with its own warning. Zoom's hosts behind a load balancer, or a proxy on
 * some paths only, may alternate good and bad `Date`s: forgetting at the first good one warned
 * at every bad one.
 */
export const SKEW_EPISODE_END_MS = 10 * 60_000;

/**
 * Whose clock an answer's `Date` is bounded by (`zoom.date_clock`): `local` (default) this
 * machine's, within ZOOM_CLOCK_TOLERANCE_MS; `zoom` none: the `Date` is followed whatever it says,
 * for a simulator run ahead of real time in another process (`qoswatch simulate --speed N`).
 */
export type DateClockMode = 'local' | 'zoom';

/** An answer's headers, as read (fetch's Headers, or a test's). */
export interface AnswerHeaders {
  get(name: string): string | null;
}

/**
 * An answer's `Date` (epoch ms), and whether ZoomClock took it as Zoom's clock (`taken`) or
 * refused it as too far from this machine's (then this machine's clock is Zoom's).
 */
export interface AnswerDate {
  at: number;
  taken: boolean;
}

/**
 * Zoom's clock as the `Date` of its answers sets it, bounded by this machine's: a `Date` within
 * ZOOM_CLOCK_TOLERANCE_MS of the local clock is taken (Zoom's clock is the one its samples are
 * dated by), one further off is not (a proxy's or a broken clock's): the local clock is Zoom's
 * then, the answer is counted (`skewed`) and the skew logged once an hour while it lasts (it
 * ends once no answer was off for SKEW_EPISODE_END_MS: the next skew is logged at once). An
 * answer dated a day ahead once let a sample dated a day ahead in, and every real sample after it
 * was skipped as old. With `mode` `zoom` every `Date` is taken (a simulator ahead of real time).
 */
export class ZoomClock {
  /** Zoom's clock less ours, from the last answer with a usable `Date` (undefined before one). */
  private skewMs: number | undefined;
  /** When the last answer with a `Date` too far off came, while its episode lasts. */
  private skewedAt: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly once: LogOnce,
    private readonly skewed: () => void,
    private readonly mode: DateClockMode = 'local',
  ) {}

  /** Zoom's clock now, or undefined when no answer had a `Date`. */
  now(): number | undefined {
    return this.skewMs === undefined ? undefined : this.clock.now() + this.skewMs;
  }

  /** Reads an answer's `Date`: what it says, and whether it was taken; undefined when it has none readable. */
  observe(headers: AnswerHeaders): AnswerDate | undefined {
    const date = Date.parse(headers.get('date') ?? '');
    if (!Number.isFinite(date)) return undefined;
    const now = this.clock.now();
    const skew = date - now;
    if (this.mode === 'zoom' || Math.abs(skew) <= ZOOM_CLOCK_TOLERANCE_MS) {
      this.skewMs = skew;
      if (this.skewedAt !== undefined && now - this.skewedAt >= SKEW_EPISODE_END_MS) {
        this.skewedAt = undefined;
        this.once.forget('zoom-clock');
      }
      return { at: date, taken: true };
    }
    this.skewMs = 0;
    this.skewedAt = now;
    this.skewed();
    const off = `${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'}`;
    this.once.warn(
      'zoom-clock',
      { zoomSkewMs: skew },
      `Zoom's answer is dated ${off} this machine's clock, more than 5 minutes: samples are judged by this machine's clock instead (check both clocks, NTP, and any proxy in between)`,
    );
    return { at: date, taken: false };
  }
}
