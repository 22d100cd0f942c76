import type { Clock } from '../util/clock.js';
import { plural } from '../util/words.js';
import { STOP_LOCK_WAIT_MS } from '../zoom/budget-file.js';
import type { ZoomClient } from '../zoom/client.js';
import { ZoomError } from '../zoom/errors.js';

/** Longest a report or an inspection waits for the others (the sizing turn, their reservations) before it is refused. */
export const RESERVE_WAIT_MS = 120_000;
/** How often a waiting report reads the budget file again. */
const POLL_MS = 250;

/** How a report waits for the others sharing the budget: on `clock`, at most `ms`, told once through `onWait`. */
export interface ReserveWait {
  clock: Clock;
  ms?: number;
  signal?: AbortSignal;
  /** Told once, when the report starts waiting (the CLI prints it on stderr). */
  onWait?: (message: string) => void;
}

/**
 * "needs at least 4 API calls" before the instance's details (its cost for one join: the
 * participant count is not known yet), "needs about 9 API calls" once it is sized.
 */
const needs = (need: number, first: boolean): string =>
  `needs ${first ? 'at least' : 'about'} ${plural(need, 'API call')}`;

/** "1 is left", "5 are left". */
const left = (n: number): string => `${n} ${n === 1 ? 'is' : 'are'} left`;

/**
 * Refuses when `need` calls would leave less than the reserve; says how many are left.
 * `first`: before the instance's details, `need` is its cost for one join (at least).
 */
export function checkBudget(client: ZoomClient, need: number, reserve: number, first = false): void {
  const remaining = client.budget.remaining();
  if (remaining - need < reserve)
    throw new ZoomError(
      'ZOOM_BUDGET_EXHAUSTED',
      `a report ${needs(need, first)}, and ${left(remaining)} of today's budget, ${reserve} of them kept for live polling; try again after 00:00 UTC or lower the reserve`,
      { retryable: true },
    );
}

const article = (what: string): string => (/^[aeiou]/.test(what) ? 'an' : 'a');

/** The refusal of a reservation: what it needed, what is left and held by the others, what was spent. */
function refused(
  client: ZoomClient,
  need: number,
  reserve: number,
  what: string,
  spent: number,
  waitedMs = 0,
): ZoomError {
  const remaining = client.budget.remaining();
  const others = client.budget.reservedByOthers();
  const waited =
    waitedMs > 0 ? ` after waiting ${Math.round(waitedMs / 1000)} s for the others' reservations` : '';
  return new ZoomError(
    'ZOOM_BUDGET_EXHAUSTED',
    `${article(what)} ${what} ${needs(need, !spent)}${spent ? ' more' : ''}, and ${left(remaining)} of today's budget${waited}, ${reserve} of them kept for live polling` +
      (others
        ? ` (besides ${plural(others, 'call')} reserved by other reports or inspections running now)`
        : '') +
      `; ${spent ? `it stopped after ${plural(spent, 'API call')}, reading the instance's details, and wrote nothing` : 'nothing was spent'}: try again ${others ? 'when they have finished, ' : ''}after 00:00 UTC, or lower the reserve`,
    { retryable: true },
  );
}

/**
 * A report's first reservation, before its first call: `need` calls (its cost for one join:
 * the participant count is not known yet) and the sizing turn. While another report or
 * inspection holds the turn (it is reading its instance's details, and will then grow its
 * reservation or give it back), this one waits, reserving nothing, so that no two of them
 * spend a details call on room only one of them can have. Refused at once, nothing spent, when
 * there is no room for `need` besides what the others use and hold. Without the budget file's
 * lock, nothing can be reserved: checked against what is left, as before.
 */
export async function reserveFirst(
  client: ZoomClient,
  need: number,
  reserve: number,
  what: string,
  w: ReserveWait,
): Promise<void> {
  const start = w.clock.now();
  const until = start + (w.ms ?? RESERVE_WAIT_MS);
  let told = false;
  for (;;) {
    const got = client.budget.reserve(need, reserve, STOP_LOCK_WAIT_MS, true);
    if (got === 'granted') return;
    if (got === 'unlocked') {
      checkBudget(client, need, reserve, true);
      return;
    }
    if (got === 'refused') throw refused(client, need, reserve, what, 0);
    const by = client.budget.sizingBy();
    if (w.clock.now() >= until)
      throw new ZoomError(
        'ZOOM_BUDGET_EXHAUSTED',
        `${article(what)} ${what} waited ${Math.round((w.clock.now() - start) / 1000)} s for another report or inspection${by ? ` (pid ${by})` : ''} to read its instance's details and reserve what it needs, and it has not: nothing was spent; try again`,
        { retryable: true },
      );
    if (!told) {
      told = true;
      w.onWait?.(
        `waiting for another report or inspection${by ? ` (pid ${by})` : ''} to read its instance's details and reserve its calls, before this ${what} reads its own (nothing reserved or spent meanwhile; at most ${Math.round((until - start) / 1000)} s)`,
      );
    }
    await w.clock.sleep(POLL_MS, w.signal);
  }
}

/**
 * After the instance's details: the reservation grown to `need` calls in all, of which `spent`
 * made, and the sizing turn given back. When the others' reservations hold the room, the
 * report gives back its own first reservation (keeping the turn, so that no other report
 * spends a details call meanwhile) and waits for them to be spent or released, reading the
 * file again, at most `w.ms`; it is refused (having spent the details call) only when no
 * reservation of the others is left to wait for, or after that time.
 */
export async function growReservation(
  client: ZoomClient,
  need: number,
  spent: number,
  reserve: number,
  what: string,
  w: ReserveWait,
): Promise<void> {
  const more = need - spent;
  if (more <= 0) {
    client.budget.sized();
    return;
  }
  const start = w.clock.now();
  const until = start + (w.ms ?? RESERVE_WAIT_MS);
  let told = false;
  let lastTry = false;
  for (;;) {
    const got = client.budget.reserve(more, reserve, STOP_LOCK_WAIT_MS);
    if (got === 'granted') return;
    if (got === 'unlocked') {
      checkBudget(client, more, reserve);
      return;
    }
    const others = client.budget.reservedByOthers();
    const late = w.clock.now() >= until;
    if (late || (others === 0 && lastTry)) {
      const err = refused(client, more, reserve, what, spent, w.clock.now() - start);
      client.budget.unreserve();
      throw err;
    }
    if (others === 0) {
      lastTry = true; // released between the refusal and this read: once more at once
      continue;
    }
    lastTry = false;
    if (!told) {
      told = true;
      client.budget.standBy();
      w.onWait?.(
        `this ${what} needs ${plural(more, 'API call')} more and other reports or inspections hold ${plural(others, 'call')} of what is left: its own reservation given back, waiting for theirs to be spent or released (at most ${Math.round((until - start) / 1000)} s)`,
      );
    }
    await w.clock.sleep(POLL_MS, w.signal);
  }
}
