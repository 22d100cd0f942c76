import type { Clock } from '../util/clock.js';
import { ZoomError } from './errors.js';

const DAY = 86_400_000;

export const utcDay = (t: number): number => Math.floor(t / DAY);
export const nextUtcMidnight = (t: number): number => (utcDay(t) + 1) * DAY;

/** Where the day's count is kept across restarts, and shared with the other processes of the account. */
export interface BudgetStore {
  /** The count as the processes sharing it last wrote it. */
  load(): { day: number; used: number } | undefined;
  /**
   * Reads the day's shared count (0 for another day), lets `change` decide the new one from it
   * and writes that, with no other process in between. A `change` that throws writes nothing.
   */
  transact(day: number, change: (used: number) => number): void;
}

/**
 * qoswatch's share of the account's daily pool (Heavy and Resource-intensive calls draw from
 * the same pool, and other apps on the account draw from it too). Zoom's pool resets at
 * 00:00 UTC. A call that would go over is not sent. A daily-limit 429, or Zoom's own count
 * saying the pool is empty, stops all calls until the reset. With a store, the count is shared
 * with the other processes using it (the daemon and `report` / `inspect` beside it): each call
 * is counted into it as it is made, and each decision reads the others' use first.
 */
export class DailyBudget {
  private day = -1;
  /** Today's calls of every process sharing the store, as last read or written. */
  private used = 0;
  /** Today's calls of this process. */
  private mine = 0;
  private blockedUntil = 0;
  /** What Zoom last said is left of the whole account's pool, if it says. */
  accountRemaining: number | undefined;

  constructor(
    readonly pool: number,
    readonly share: number,
    private readonly clock: Clock,
    private readonly store?: BudgetStore,
  ) {
    const saved = store?.load();
    if (saved) {
      this.day = saved.day;
      this.used = saved.used;
    }
  }

  /** Calls qoswatch may make in a whole day. */
  get allowance(): number {
    return Math.floor(this.pool * this.share);
  }

  private roll(now: number): void {
    const d = utcDay(now);
    if (d !== this.day) {
      this.day = d;
      this.used = 0;
      this.mine = 0;
      this.accountRemaining = undefined;
    }
  }

  /** Reads what the other processes sharing the store have used (never less than this one's own). */
  private refresh(): void {
    const saved = this.store?.load();
    if (saved?.day === this.day) this.used = Math.max(saved.used, this.mine);
  }

  /** Today's calls, of every process sharing the count. */
  usedToday(): number {
    this.roll(this.clock.now());
    this.refresh();
    return this.used;
  }

  /** Today's calls of this process alone. */
  usedHere(): number {
    this.roll(this.clock.now());
    return this.mine;
  }

  /** Calls left today, for qoswatch (all its processes). */
  remaining(): number {
    const now = this.clock.now();
    this.roll(now);
    this.refresh();
    if (now < this.blockedUntil) return 0;
    const ours = this.allowance - this.used;
    return Math.max(0, this.accountRemaining === undefined ? ours : Math.min(ours, this.accountRemaining));
  }

  /** Throws instead of letting a call go over; counts the call otherwise. */
  take(endpoint: string): void {
    const now = this.clock.now();
    this.roll(now);
    this.checkAccount(endpoint, now);
    const count = (shared: number): number => {
      this.used = Math.max(shared, this.mine);
      this.checkShare(endpoint, now);
      this.used++;
      this.mine++;
      return this.used;
    };
    if (this.store) this.store.transact(this.day, count);
    else count(this.used);
    if (this.accountRemaining !== undefined) this.accountRemaining--;
  }

  /** A call counted by take() that never left (the connection was refused): not charged. */
  giveBack(): void {
    this.roll(this.clock.now());
    if (this.mine === 0) return;
    const uncount = (shared: number): number => {
      this.used = Math.max(shared, this.mine) - 1;
      this.mine--;
      return this.used;
    };
    if (this.store) this.store.transact(this.day, uncount);
    else uncount(this.used);
    if (this.accountRemaining !== undefined) this.accountRemaining++;
  }

  /** Throws when a call now would go over the budget or a daily limit; counts nothing. */
  check(endpoint: string): void {
    const now = this.clock.now();
    this.roll(now);
    this.refresh();
    this.checkAccount(endpoint, now);
    this.checkShare(endpoint, now);
  }

  private checkAccount(endpoint: string, now: number): void {
    if (now < this.blockedUntil) {
      throw new ZoomError(
        'ZOOM_DAILY_LIMIT',
        `Zoom's daily API limit is reached; calls resume at ${new Date(this.blockedUntil).toISOString()}`,
        {
          endpoint,
          retryable: true,
          resetAt: this.blockedUntil,
        },
      );
    }
    if (this.accountRemaining !== undefined && this.accountRemaining <= 0) {
      const reset = nextUtcMidnight(now);
      throw new ZoomError(
        'ZOOM_DAILY_LIMIT',
        `Zoom says the account's daily API pool is empty; calls resume at ${new Date(reset).toISOString()}`,
        {
          endpoint,
          retryable: true,
          resetAt: reset,
        },
      );
    }
  }

  private checkShare(endpoint: string, now: number): void {
    if (this.used >= this.allowance) {
      const reset = nextUtcMidnight(now);
      throw new ZoomError(
        'ZOOM_BUDGET_EXHAUSTED',
        `qoswatch's share of the daily API pool (${this.allowance} calls) is used up; calls resume at ${new Date(reset).toISOString()}`,
        { endpoint, retryable: true, resetAt: reset },
      );
    }
  }

  /** Zoom's `X-RateLimit-Remaining` for the daily pool. */
  observeRemaining(remaining: number): void {
    this.roll(this.clock.now());
    this.accountRemaining = remaining;
  }

  /** A daily-limit 429: nothing goes out until `resetAt`. */
  blockUntil(resetAt: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, resetAt);
  }

  get blocked(): number {
    return this.clock.now() < this.blockedUntil ? this.blockedUntil : 0;
  }
}
