import type { InstanceRef } from '../normalize/sample.js';
import type { LiveInstance } from './source.js';

/** The largest participant count Zoom reports for one live instance (webinars hold 100,000 at most). */
export const MAX_PARTICIPANTS = 100_000;

/** A count a list answer may give: an integer from 0 to MAX_PARTICIPANTS. */
const plausible = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_PARTICIPANTS;

/**
 * A participant count from Zoom's list answers, or 1 when it is absent or absurd (`1e400`,
 * negative, fractional, over MAX_PARTICIPANTS): the first QoS poll then learns the real count.
 * An absurd count would make the instance cost more calls than any budget holds, so it would
 * never be polled.
 */
export function participantCount(v: unknown): number {
  return plausible(v) ? v : 1;
}

/** The count of an instance nothing has counted yet (adopted after a restart, started by a push). */
const GUESSED = { participants: 1, countGuessed: true } as const;

/** An instance `ref` nothing has counted yet: its count a guess. */
export const uncounted = (ref: InstanceRef): LiveInstance => ({ ref, ...GUESSED });

/** A LiveInstance's count from a list answer's `v`: a guess when it is absent or absurd. */
export const listedCount = (v: unknown): Pick<LiveInstance, 'participants' | 'countGuessed'> =>
  plausible(v) ? { participants: v } : { ...GUESSED };

/**
 * `to` counted as `from` (a listing's count), a guess if that is one: then what a read of `to`
 * said of its size (`recordsSaid`) is kept.
 */
export function takeCount(to: LiveInstance, from: LiveInstance): void {
  to.participants = from.participants;
  if (from.countGuessed) to.countGuessed = true;
  else {
    delete to.countGuessed;
    delete to.recordsSaid;
  }
}

/** `instance` counted by a poll that found `present` joins (1 at least: the cost estimate). */
export function polledCount(instance: LiveInstance, present: number): void {
  instance.participants = Math.max(present, 1);
  delete instance.countGuessed;
  delete instance.recordsSaid;
}

/**
 * The participants a poll of `instance` is costed for (its source's `cost`): its count; while
 * that is a guess, the `total_records` a read of it said (`recordsSaid`), else the guess, 1.
 *
 * Why 1 before anything is read: the first QoS page is the one call sure to be made, whatever the
 * instance's size; the pages past it are read because that page says so, and nothing says it
 * before. Costing the unknown at the default bound (100 pages) lengthened every cycle by 99 calls
 * per guessed instance and, under a tight budget, kept small guessed meetings waiting while the
 * plan saved for them; any other fixed figure is wrong for the meetings that are not that size.
 * What the first poll reads past the plan is counted one by one (budget-block.ts) within the
 * daily share, and the next plan costs the count that poll found. Only a read that stops after
 * its first page (a failure, a 429's pause, a stop) leaves the count unknown: then the size that
 * page said is what the next plans cost it at, so a large instance is saved for (planner.ts)
 * rather than started again each cycle as if it were one page.
 */
export function costedParticipants(instance: LiveInstance): number {
  if (instance.countGuessed && instance.recordsSaid !== undefined) return Math.max(1, instance.recordsSaid);
  return instance.participants;
}

/**
 * What bounds a page read of `instance`'s participants: its count, unless that is a guess (a
 * bound of 12 pages from a guessed 1 would cut a large instance's first poll and call it a page
 * loop): then the `total_records` of the read's first page, up to MAX_PARTICIPANTS, and never
 * fewer than the client's default 100 pages (zoom/page-read.ts): a guessed webinar of 5,000 is
 * read whole on its first poll, not cut at 1,000.
 */
export const expectedItems = (
  instance: LiveInstance,
): { expectedItems?: number; totalRecordsUpTo?: number } =>
  instance.countGuessed ? { totalRecordsUpTo: MAX_PARTICIPANTS } : { expectedItems: instance.participants };

/**
 * While `instance`'s count is a guess, what keeps the `total_records` of its QoS read's first
 * page (`recordsSaid`, at most MAX_PARTICIPANTS): its cost until a poll counts it.
 */
export const recordsOfQos = (instance: LiveInstance): { totalRecords?: (n: number) => void } =>
  instance.countGuessed
    ? { totalRecords: (n) => (instance.recordsSaid = Math.min(n, MAX_PARTICIPANTS)) }
    : {};
