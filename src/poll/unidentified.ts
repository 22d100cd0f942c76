import type { Tracked } from './cycle-plan.js';

/**
 * A poll's entries that could not be identified: `skipped` ones that were not objects, and
 * objects without a join key (`user_id`; `keys`: each object's, empty when it has none). Each is counted as invalid where it is read; whom the
 * answer does not list may be one of them, so such a poll takes nobody as gone.
 */
export function unidentified(skipped: number, keys: readonly string[]): { unidentified?: number } {
  let n = skipped;
  for (const k of keys) if (!k) n++;
  return n ? { unidentified: n } : {};
}

/**
 * Whom a poll of `t` takes as present, and whether it says nothing of who has gone (`holdAll`).
 * A poll with entries it could not identify (`result.unidentified`) holds those present before
 * (`t.present`) that it neither lists nor says left: whom it does not list may be one of those
 * entries. Such polls hold for at most `toleranceMs` (rules.gap_tolerance) in a row: an entry Zoom
 * keeps sending without an id would otherwise hold every departure for the meeting's life. One
 * before any poll that could say (the first since the start) has nobody to hold from: it holds all.
 */
export function pollPresence(
  t: Tracked,
  result: { present: string[]; left: string[]; unidentified?: number | undefined },
  now: number,
  toleranceMs: number,
): { present: string[]; holdAll: boolean } {
  if (result.unidentified === undefined) {
    delete t.unidentifiedSince;
    return { present: result.present, holdAll: false };
  }
  t.unidentifiedSince ??= now;
  if (now - t.unidentifiedSince >= toleranceMs) return { present: result.present, holdAll: false };
  if (t.present === undefined) return { present: result.present, holdAll: true };
  const known = new Set([...result.present, ...result.left]);
  const held = t.present.filter((k) => !known.has(k));
  return { present: held.length ? [...result.present, ...held] : result.present, holdAll: false };
}
