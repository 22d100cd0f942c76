import { randomUUID } from 'node:crypto';
import type { Clock } from '../util/clock.js';
import type { AnswerDate } from './zoom-clock.js';
import { AccountPool } from './account-pool.js';
import { ZoomError } from './errors.js';
import {
  dayPassed,
  nextUtcMidnight,
  utcDay,
  type BudgetRecord,
  type BudgetStore,
  type Reservation,
} from './budget-record.js';

/**
 * What reserve() did: granted (written for the others to see), refused (not enough left), not
 * written (no lock), or 'wait': the sizing turn is another process's (there is room for the
 * calls asked if its reservation goes), nothing reserved.
 */
export type ReserveResult = 'granted' | 'refused' | 'unlocked' | 'wait';

/** This process's reservation: its id in the store, the calls not made yet, whether it holds the sizing turn. */
interface OwnReservation {
  id: string;
  calls: number;
  sizing?: true;
}

/**
 * qoswatch's share of the account's daily pool (Heavy and Resource-intensive calls draw from
 * the same pool, and other apps on the account draw from it too), counted per UTC day (Zoom resets
 * its pool at 00:00 UTC: retry-after.ts dailyResetAt). A call that would go over is not sent. A
 * daily-limit 429, or Zoom's own count saying the pool is empty, stops all calls until the reset;
 * a daily 429's earlier Retry-After is obeyed, even with `X-RateLimit-Remaining: 0` beside it
 * (AccountPool.blockUntil ends Zoom's count there too). With a store, the count is shared
 * with the other processes using it (the daemon and `report` / `inspect` beside it): each
 * decision reads the others' use and reservations first, and the processes together never go
 * over the share. A call is counted into the store as it is made, except within a block:
 * hold(n) counts n calls into the store at once (the daemon's poll cycle), the calls are then
 * counted here, and release() gives back those not made. reserve(n) is a report's
 * reservation: n calls the others see as used until this process makes them or releases it.
 */
export class DailyBudget {
  private day = -1;
  /** Today's calls of every process sharing the store, as last read or written (with this one's held block). */
  private used = 0;
  /** Calls the other processes have reserved and not made, as last read. */
  private reservedElsewhere = 0;
  /** Today's calls of this process. */
  private mine = 0;
  /** Calls counted in `used` for this process's block (hold) and not made yet. */
  private held = 0;
  /** A block is held (until release): calls given back go back into it. */
  private holding = false;
  /** This process's reservation: calls reserved and not made yet. */
  private reservation: OwnReservation | undefined;
  /** Another process's reservation holds the sizing turn (as last read): its pid. */
  private sizingElsewhere: number | undefined;
  /** Zoom's own word on the whole account's pool: a daily-limit 429's hold, its count. */
  private readonly account = new AccountPool();

  constructor(
    readonly pool: number,
    readonly share: number,
    private readonly clock: Clock,
    private readonly store?: BudgetStore,
  ) {
    if (store) {
      store.maxCalls = pool;
      // The share's pace: what an evenly spread day would have used by now.
      store.lostCount = (day) => {
        return Math.ceil(this.allowance * dayPassed(this.clock.now(), day));
      };
    }
    const saved = store?.load();
    if (saved) {
      this.day = saved.day;
      this.absorb(saved);
    }
  }

  /** Calls qoswatch may make in a whole day. */
  get allowance(): number {
    return Math.floor(this.pool * this.share);
  }

  /** Changes of the store decided without its lock (0 without a store). */
  get unlockedCalls(): number {
    return this.store?.unlockedCalls ?? 0;
  }

  private roll(now: number): void {
    const d = utcDay(now);
    if (d !== this.day) {
      this.day = d;
      this.used = 0;
      this.mine = 0;
      this.held = 0; // yesterday's block was counted in yesterday's pool
    }
  }

  /** Takes in what the store says (never less than this process's own calls and block). */
  private absorb(rec: BudgetRecord): void {
    if (rec.day !== this.day) return;
    this.used = Math.max(rec.used, this.mine + this.held);
    const id = this.reservation?.id;
    this.reservedElsewhere = rec.reservations.reduce((n, r) => (r.id === id ? n : n + r.calls), 0);
    this.sizingElsewhere = rec.reservations.find((r) => r.id !== id && r.sizing)?.pid;
  }

  /** The record to write: `used` as counted here, this process's reservation as it stands. */
  private record(rec: BudgetRecord, mineReserved = this.reservation): BudgetRecord {
    const id = this.reservation?.id ?? mineReserved?.id;
    const others = rec.reservations.filter((r) => r.id !== id);
    const mine = mineReserved && {
      id: mineReserved.id,
      pid: process.pid,
      calls: mineReserved.calls,
      expires: 0,
      ...(mineReserved.sizing ? { sizing: true as const } : {}),
    };
    return {
      day: this.day,
      used: this.used,
      reservations: mine && (mine.calls || mine.sizing) ? [...others, mine] : others,
    };
  }

  /** Reads the store, lets `change` decide, writes: true when written under the store's lock (or no store). */
  private commit(
    change: () => void,
    mineReserved?: () => OwnReservation | undefined,
    waitMs?: number,
  ): boolean {
    const apply = (rec: BudgetRecord): BudgetRecord => {
      this.absorb(rec);
      change();
      return this.record(rec, mineReserved ? mineReserved() : this.reservation);
    };
    if (!this.store) {
      apply({ day: this.day, used: this.used, reservations: [] });
      return true;
    }
    return this.store.transact(this.day, apply, waitMs);
  }

  /** Reads what the other processes sharing the store have used and reserved. */
  private refresh(): void {
    const saved = this.store?.load();
    if (saved) this.absorb(saved);
  }

  /** Today's calls, of every process sharing the count. */
  usedToday(): number {
    this.roll(this.clock.now());
    this.refresh();
    return this.used - this.held;
  }

  /** Today's calls of this process alone. */
  usedHere(): number {
    this.roll(this.clock.now());
    return this.mine;
  }

  /** Calls the other processes have reserved and not made yet (as last read). */
  reservedByOthers(): number {
    this.roll(this.clock.now());
    this.refresh();
    return this.reservedElsewhere;
  }

  /** The reservations of the processes sharing the store (reports, inspections), standing as read now. */
  reservations(): Reservation[] {
    const rec = this.store?.load();
    return rec && rec.day === utcDay(this.clock.now()) ? rec.reservations : [];
  }

  /** Calls of this process's reservation not made yet. */
  reservedHere(): number {
    return this.reservation?.calls ?? 0;
  }

  /** Calls left today, for qoswatch (all its processes): this one's block and reservation count as left. */
  remaining(): number {
    const now = this.clock.now();
    this.roll(now);
    this.refresh();
    if (this.account.held(now)) return 0;
    const ours = this.allowance - (this.used - this.held) - this.reservedElsewhere;
    const zoom = this.account.remaining(now);
    return Math.max(0, zoom === undefined ? ours : Math.min(ours, zoom));
  }

  /** Throws instead of letting a call go over; counts the call otherwise. */
  take(endpoint: string): void {
    const now = this.clock.now();
    this.roll(now);
    this.account.check(endpoint, now);
    if (this.held > 0) {
      // Counted in the store when the block was taken: no file round trip.
      this.held--;
      this.mine++;
    } else
      this.commit(() => {
        this.checkShare(endpoint, now);
        this.used++;
        this.mine++;
        if (this.reservation?.calls) this.reservation.calls--;
      });
    this.account.count(1, now);
  }

  /** A call counted by take() that never left (the connection was refused): not charged. */
  giveBack(): void {
    const now = this.clock.now();
    this.roll(now);
    if (this.mine === 0) return;
    if (this.holding) {
      // Back into the block: given back to the store with the rest of it at release().
      this.held++;
      this.mine--;
    } else
      this.commit(() => {
        this.used = Math.max(0, this.used - 1);
        this.mine--;
        if (this.reservation) this.reservation.calls++;
      });
    this.account.count(-1, now);
  }

  /**
   * A block of up to `calls` calls (a poll cycle's plan), counted into the store at once, within
   * what is left (the others' reservations included): the calls that follow are counted here
   * with no file round trip until it is spent, then one by one again. Returns the calls held.
   */
  hold(calls: number): number {
    const now = this.clock.now();
    this.roll(now);
    this.release();
    if (calls <= 0 || this.account.held(now)) return 0;
    this.commit(() => {
      const left = this.allowance - this.used - this.reservedElsewhere;
      const grant = Math.max(0, Math.min(calls, left, this.account.remaining(now) ?? calls));
      this.used += grant;
      this.held = grant;
    });
    this.holding = true;
    return this.held;
  }

  /** The block's calls not made are given back to the store (end of a cycle, or stop). */
  release(): void {
    this.roll(this.clock.now());
    const wasHolding = this.holding;
    this.holding = false;
    if (!wasHolding || this.held === 0) {
      this.held = 0;
      return;
    }
    this.commit(() => {
      this.used = Math.max(this.mine, this.used - this.held);
      this.held = 0;
    });
  }

  /**
   * Reserves `calls` calls of today's budget for this process (a report's whole need, in place
   * of what it reserved before), if `keep` calls are still left to the others after them: the
   * other processes then treat them as used until they are made or released. 'unlocked': the
   * store's lock could not be taken, nothing was reserved.
   *
   * `sizing`: the reservation also takes the sizing turn (a report's first one, made before it
   * knows its instance's size). While another process holds the turn and the calls would fit
   * without the others' reservations, the answer is 'wait' and nothing changes: that process's
   * reservation is about to grow, or to go, and only then can this one know what is left.
   * Without `sizing`, a granted reservation gives the turn back.
   */
  reserve(calls: number, keep: number, waitMs?: number, sizing = false): ReserveResult {
    const now = this.clock.now();
    this.roll(now);
    const id = this.reservation?.id ?? randomUUID().slice(0, 18);
    let result = 'refused' as 'granted' | 'refused' | 'wait';
    const locked = this.commit(
      () => {
        const open = !this.account.held(now) && this.allowance - this.used - calls >= keep;
        result = !open
          ? 'refused'
          : sizing && this.sizingElsewhere !== undefined
            ? 'wait'
            : this.allowance - this.used - this.reservedElsewhere - calls >= keep
              ? 'granted'
              : 'refused';
      },
      () => (result === 'granted' ? { id, calls, ...(sizing ? { sizing } : {}) } : this.reservation),
      waitMs,
    );
    if (!locked) return 'unlocked';
    if (result === 'granted') this.reservation = { id, calls, ...(sizing ? { sizing } : {}) };
    return result;
  }

  /**
   * Gives back the calls reserved and not made, keeping the sizing turn if this process holds
   * it (a report whose grown reservation was refused, waiting for the others' to be released:
   * its own would hold calls they need, and nobody else should read details meanwhile).
   */
  standBy(): void {
    if (!this.reservation) return;
    this.roll(this.clock.now());
    const { id, sizing } = this.reservation;
    const keep: OwnReservation = { id, calls: 0, ...(sizing ? { sizing } : {}) };
    this.commit(
      () => {},
      () => keep,
    );
    this.reservation = sizing ? keep : undefined;
  }

  /** Gives back the sizing turn, keeping the calls reserved (a report whose first reservation covers its need). */
  sized(): void {
    if (!this.reservation?.sizing) return;
    this.roll(this.clock.now());
    const mine: OwnReservation = { id: this.reservation.id, calls: this.reservation.calls };
    this.commit(
      () => {},
      () => mine,
    );
    this.reservation = mine;
  }

  /** The pid holding the sizing turn, if another process does (as read now). */
  sizingBy(): number | undefined {
    this.roll(this.clock.now());
    this.refresh();
    return this.sizingElsewhere;
  }

  /** Gives back what is left of this process's reservation. */
  unreserve(): void {
    if (!this.reservation) return;
    this.roll(this.clock.now());
    const id = this.reservation.id;
    this.commit(
      () => {},
      () => ({ id, calls: 0 }),
    );
    this.reservation = undefined;
  }

  /** Throws when a call now would go over the budget or a daily limit; counts nothing. */
  check(endpoint: string): void {
    const now = this.clock.now();
    this.roll(now);
    this.account.check(endpoint, now);
    if (this.held > 0) return; // the block is this process's: no file to read
    this.refresh();
    this.checkShare(endpoint, now);
  }

  /** Others' reservations count as used; this process's own are its to make. */
  private checkShare(endpoint: string, now: number): void {
    if (this.used + this.reservedElsewhere >= this.allowance) {
      const reset = nextUtcMidnight(now);
      throw new ZoomError(
        'ZOOM_BUDGET_EXHAUSTED',
        `qoswatch's share of the daily API pool (${this.allowance} calls) is used up; calls resume at ${new Date(reset).toISOString()}`,
        { endpoint, retryable: true, resetAt: reset },
      );
    }
  }

  /** Zoom's `X-RateLimit-Remaining` for the daily pool, from an answer dated `sent` (account-pool.ts). */
  observeRemaining(remaining: number, sent?: AnswerDate): void {
    this.account.observe(remaining, this.clock.now(), sent);
  }

  /** A daily-limit 429: nothing goes out until `resetAt`. */
  blockUntil(resetAt: number): void {
    this.account.blockUntil(resetAt);
  }

  /**
   * Until when Zoom's daily limit stops every call (0: it does not): a daily-limit 429's hold,
   * or Zoom's own count (`X-RateLimit-Remaining` of the daily pool at 0) until the pool's reset,
   * as take() and check() refuse calls. The gauge, the status API and the cycle plan read it.
   * Reading changes nothing: Zoom's count ends at its own reset (AccountPool), not when read.
   */
  get blocked(): number {
    return this.account.blocked(this.clock.now());
  }
}
