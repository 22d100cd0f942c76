import type { Tracked } from './cycle-plan.js';
import type { PollResult } from './poll-result.js';

/**
 * Whom a QoS read may not list: its entries that could not be identified (`skipped` ones that
 * were not objects, and objects without a join key: `keys`, each object's, empty when it has
 * none; each counted as invalid where it is read), whether it was cut (`cut`: stopped as a
 * page loop, its pages past the cursor unread), and whether its list moved while it was paged
 * (`drift`: an entry may have moved back past the cursor unread). Whom such a poll does not list
 * may be there all the same, so it takes nobody as gone.
 */
export function unlisted(read: {
  skipped: number;
  keys: readonly string[];
  cut?: string | undefined;
  drift?: true | undefined;
}): Pick<PollResult, 'unidentified' | 'cut' | 'drift'> {
  let n = read.skipped;
  for (const k of read.keys) if (!k) n++;
  return {
    ...(n ? { unidentified: n } : {}),
    ...(read.cut !== undefined ? { cut: true } : {}),
    ...(read.drift ? { drift: true } : {}),
  };
}

/**
 * Whom a poll of `t` takes as present, and whether it says nothing of who has gone (`holdAll`).
 * A poll with entries it could not identify (`result.unidentified`), whose read was cut
 * (`result.cut`), or whose list moved while it was paged (`result.drift`), holds those present before (`t.present`) that it neither lists nor says left:
 * whom it does not list may be one of those entries, or past the cut. Such polls hold for at most
 * `toleranceMs` (rules.gap_tolerance) in a row: an entry Zoom keeps sending without an id, or a
 * pagination that never ends, would otherwise hold every departure for the meeting's life. One
 * before any poll that could say (the first since the start) has nobody to hold from: it holds all.
 */
export function pollPresence(
  t: Tracked,
  result: Pick<PollResult, 'present' | 'left' | 'unidentified' | 'cut' | 'drift'>,
  now: number,
  toleranceMs: number,
): { present: string[]; holdAll: boolean } {
  if (result.unidentified === undefined && !result.cut && !result.drift) {
    delete t.unsureSince;
    return { present: result.present, holdAll: false };
  }
  t.unsureSince ??= now;
  if (now - t.unsureSince >= toleranceMs) return { present: result.present, holdAll: false };
  if (t.present === undefined) return { present: result.present, holdAll: true };
  const known = new Set([...result.present, ...result.left]);
  const held = t.present.filter((k) => !known.has(k));
  return { present: held.length ? [...result.present, ...held] : result.present, holdAll: false };
}
