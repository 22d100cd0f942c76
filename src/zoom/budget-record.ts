import { processAlive } from '../util/process-alive.js';
import { COUNT, entryCheck } from '../util/state-files.js';

/*
 * The day's shared budget record (calls used by every process of the account, and the
 * reservations standing), the contract of the store that keeps it (BudgetStore), and how a
 * record read from a file is checked: what DailyBudget decides on and FileBudgetStore keeps.
 */

const DAY = 86_400_000;

export const utcDay = (t: number): number => Math.floor(t / DAY);
export const nextUtcMidnight = (t: number): number => (utcDay(t) + 1) * DAY;
/** How much of UTC day `day` has passed at `t`: 0 before it, 1 after it. */
export const dayPassed = (t: number, day: number): number => Math.min(1, Math.max(0, (t - day * DAY) / DAY));

/** Calls a running process (a report) has reserved and not spent yet, so that the others treat them as used. */
export interface Reservation {
  /** Which budget holds it (a process may hold several). */
  id: string;
  /** Its owner: a reservation of a process that is gone is dropped. */
  pid: number;
  calls: number;
  /** Epoch ms (wall clock) after which it is dropped unless its owner renewed it. */
  expires: number;
  /**
   * Its owner is reading its instance's details to learn what it will cost (a report or an
   * inspection between its first reservation and its grown one): the sizing turn. One process
   * holds it at a time; the others wait for it before their own first call (DailyBudget.reserve).
   */
  sizing?: true;
}

/** The day's shared count: calls made by every process, and the reservations standing. */
export interface BudgetRecord {
  day: number;
  used: number;
  reservations: Reservation[];
}

/** Where the day's count is kept across restarts, and shared with the other processes of the account. */
export interface BudgetStore {
  /** The record as the processes sharing it last wrote it (reservations of gone processes left out). */
  load(): BudgetRecord | undefined;
  /**
   * Reads the day's shared record (0 used for another day), lets `change` decide the new one
   * from it and writes that, with no other process in between: true. False when it was
   * decided without the lock (held elsewhere, or unusable): only the change of `used` is kept,
   * and added to the record at the next change made under the lock. A `change` that throws
   * writes nothing. `waitMs`: how long a lock held by another process is waited for.
   */
  transact(day: number, change: (rec: BudgetRecord) => BudgetRecord, waitMs?: number): boolean;
  /** Changes decided without the lock so far. */
  readonly unlockedCalls?: number;
  /** Most calls one reservation may hold (the daily pool): a bigger one is dropped when read. */
  maxCalls?: number;
  /** The count to assume for `day` when the store's record of it is lost (a corrupt file that says nothing of it). */
  lostCount?: ((day: number) => number) | undefined;
}

/** Reservations a budget file holds at most (a hostile or runaway file is set aside). */
export const MAX_RESERVATIONS = 1000;
export const checkBudget = entryCheck({
  type: 'object',
  required: ['day', 'used'],
  properties: {
    day: { type: 'integer', minimum: 0, maximum: 1e8 },
    used: COUNT,
    // Each entry is checked on its own (validReservations): one bad entry does not discard the count.
    reservations: { type: 'array', maxItems: MAX_RESERVATIONS },
  },
});

/**
 * How long a reservation lasts after its owner last wrote it (each of its calls renews it):
 * a report that stops calling, or a process in another pid namespace whose death cannot be
 * seen, gives its calls back after this.
 */
export const RESERVATION_TTL_MS = 5 * 60_000;
/**
 * How long the sizing turn lasts after its owner last wrote it: the details call of a report
 * (seconds at most, rate limits included). One that stalls longer lets the others go on.
 */
export const SIZING_TTL_MS = 60_000;
export const ttlOf = (r: { sizing?: true }): number => (r.sizing ? SIZING_TTL_MS : RESERVATION_TTL_MS);

/** A reservation as written by a well-behaved owner (calls: at most the daily pool). */
function isReservation(r: unknown, maxCalls: number): r is Reservation {
  if (typeof r !== 'object' || r === null) return false;
  const { id, pid, calls, expires, sizing } = r as Record<string, unknown>;
  return (
    (sizing === undefined || sizing === true) &&
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= 64 &&
    Number.isInteger(pid) &&
    (pid as number) >= 1 &&
    (pid as number) <= 4_294_967_295 &&
    Number.isInteger(calls) &&
    (calls as number) >= 0 &&
    (calls as number) <= maxCalls &&
    typeof expires === 'number' &&
    Number.isFinite(expires) &&
    expires >= 0
  );
}

/**
 * The usable reservations of a file read: malformed ones, or ones holding more calls than the
 * daily pool, are dropped (named in `dropped`); an expiry further than RESERVATION_TTL_MS ahead
 * (a hostile file, or a clock stepped back) is brought back to now + RESERVATION_TTL_MS, so an
 * entry its owner does not renew goes after RESERVATION_TTL_MS whatever it says.
 */
export function validReservations(
  rs: unknown,
  now: number,
  maxCalls: number,
  dropped: string[] = [],
): Reservation[] {
  const out: Reservation[] = [];
  for (const r of Array.isArray(rs) ? (rs as unknown[]) : []) {
    if (!isReservation(r, maxCalls)) {
      dropped.push(`reservation ${JSON.stringify(r).slice(0, 200)}`);
      continue;
    }
    out.push({
      id: r.id,
      pid: r.pid,
      calls: r.calls,
      expires: Math.min(r.expires, now + ttlOf(r)),
      ...(r.sizing ? { sizing: true as const } : {}),
    });
  }
  return out;
}

export interface Saved {
  day: number;
  used: number;
  reservations?: Reservation[];
}

/** Reservations still standing: their owner alive and their time not passed (wall clock: shared by processes). */
export const standing = (rs: readonly Reservation[], now = Date.now()): Reservation[] =>
  rs.filter((r) => r.expires > now && processAlive(r.pid));
