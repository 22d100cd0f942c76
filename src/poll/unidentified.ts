import { joinKey } from '../normalize/identity.js';
import type { Tracked } from './cycle-plan.js';

/**
 * A poll's entries that could not be identified: `skipped` ones that were not objects, and
 * objects without a join key (`user_id`). Each is counted as invalid where it is read; whom the
 * answer does not list may be one of them, so such a poll takes nobody as gone.
 */
export function unidentified(
  skipped: number,
  raws: readonly Record<string, unknown>[],
): { unidentified?: number } {
  let n = skipped;
  for (const r of raws) if (!joinKey(r)) n++;
  return n ? { unidentified: n } : {};
}

/**
 * Whom a poll's `present` stands for: the participants it listed; after a poll with entries it
 * could not identify, also those present before (`before`) that it neither lists nor says left,
 * held until a poll whose every entry is identified says whether they are still there.
 */
export function heldPresent(
  result: { present: string[]; left: string[]; unidentified?: number | undefined },
  before: readonly string[] | undefined,
): string[] {
  if (!result.unidentified || !before?.length) return result.present;
  const known = new Set([...result.present, ...result.left]);
  const held = before.filter((k) => !known.has(k));
  return held.length ? [...result.present, ...held] : result.present;
}

/**
 * Whether this poll of `t`, with entries it could not identify or not (`unidentified`), holds
 * whom it does not list: for at most `toleranceMs` (rules.gap_tolerance) of such polls in a row.
 * An entry Zoom keeps sending without an id would otherwise hold every departure for the
 * meeting's life.
 */
export function holdsUnidentified(
  t: Tracked,
  unidentified: boolean,
  now: number,
  toleranceMs: number,
): boolean {
  if (!unidentified) {
    delete t.unidentifiedSince;
    return false;
  }
  t.unidentifiedSince ??= now;
  return now - t.unidentifiedSince < toleranceMs;
}
