import type { ParticipantContext } from '../normalize/sample.js';
import { isDue } from './due.js';

/**
 * What the participants list adds to a QoS entry: context, the e-mail, and the person the join
 * belongs to (older QoS entries carry neither the account `id` nor `participant_user_id`).
 */
export type CachedContext = ParticipantContext & { email?: string; person?: string };

/** What a poll needs from the participants list now. */
export interface ListWant {
  /** First match keys of the joins that need the list (context missing, or a list-only field wanted). */
  keys: readonly string[];
  /** Re-read the list when the last read is this old. */
  refreshMs: number;
  /** Joins seen left whose `leave_reason` is wanted: the list is read once more for each. */
  leftKeys?: readonly string[];
}

/**
 * Participant context per instance, as the participants list (a Heavy call) gave it: read for
 * joins whose QoS entry lacks their context (older shape) or when a rule needs a field only
 * the list has (newer shape), when such a join first appears, again after the refresh the
 * wanted fields call for, and once after a join leaves when its `leave_reason` is wanted (see
 * docs/polling.md). Entries are stored under every key they can be matched on (`user_id`,
 * `participant_user_id`, `participant_uuid`: see normalize/identity.ts contextKeys).
 */
export class ContextCache {
  private readonly byInstance = new Map<
    string,
    {
      fetchedAt: number;
      contexts: Map<string, CachedContext>;
      leftRead: Set<string>;
      /** Wanted joins the list did not give: reads in a row without them, and the last one. */
      absent: Map<string, { count: number; at: number }>;
    }
  >();
  /** Instances whose last reads failed: how many in a row, and when the last one did. */
  private readonly failures = new Map<string, { count: number; at: number }>();

  /** Whether the instance's list must be (re)read now for what is wanted. */
  due(instance: string, want: ListWant, now: number): boolean {
    if (want.keys.length === 0) return false;
    const failed = this.failures.get(instance);
    if (failed && now - failed.at < retryAfter(failed.count, want.refreshMs)) return false;
    const entry = this.byInstance.get(instance);
    if (!entry || isDue(now - entry.fetchedAt, want.refreshMs)) return true;
    return (
      want.keys.some((k) => !entry.contexts.has(k)) ||
      want.keys.some((k) => {
        const a = entry.absent.get(k);
        return a !== undefined && now - a.at >= retryAfter(a.count, want.refreshMs);
      }) ||
      (want.leftKeys ?? []).some((k) => !entry.leftRead.has(k))
    );
  }

  /** Whether the list of this instance was read `refreshMs` or more ago (or never). */
  stale(instance: string, refreshMs: number, now: number): boolean {
    const entry = this.byInstance.get(instance);
    return !entry || isDue(now - entry.fetchedAt, refreshMs);
  }

  /**
   * A read failed (the client already retried it): the list is not asked for again for this
   * instance before a backoff (1 min, doubling, at most the refresh or 30 min), so a list that
   * keeps failing costs a few calls an hour, not its retries at every poll. Returns how many
   * reads in a row have failed.
   */
  failed(instance: string, now: number): number {
    const count = (this.failures.get(instance)?.count ?? 0) + 1;
    this.failures.set(instance, { count, at: now });
    return count;
  }

  /**
   * Stores a fresh read. A wanted join it does not list (Zoom's list can lag behind the QoS
   * answer for a new join) is marked absent: empty context for now, and asked for again after
   * a backoff (1 min, doubling, at most the refresh), not at every poll. Left joins are marked
   * read. Returns the joins found absent for the first time.
   */
  store(instance: string, contexts: Map<string, CachedContext>, want: ListWant, now: number): string[] {
    const old = this.byInstance.get(instance);
    // Keep what we knew of participants the new answer no longer lists.
    if (old) for (const [k, v] of old.contexts) if (!contexts.has(k)) contexts.set(k, v);
    const absent = old?.absent ?? new Map<string, { count: number; at: number }>();
    const firstAbsent: string[] = [];
    for (const k of want.keys) {
      const known = contexts.get(k);
      if (known && Object.keys(known).length) {
        absent.delete(k);
        continue;
      }
      const count = (absent.get(k)?.count ?? 0) + 1;
      if (count === 1) firstAbsent.push(k);
      absent.set(k, { count, at: now });
      contexts.set(k, {});
    }
    const leftRead = old?.leftRead ?? new Set<string>();
    for (const k of want.leftKeys ?? []) leftRead.add(k);
    this.byInstance.set(instance, { fetchedAt: now, contexts, leftRead, absent });
    this.failures.delete(instance);
    return firstAbsent;
  }

  /** Reads that failed in a row before this instance's last good one (0 when none). */
  failuresOf(instance: string): number {
    return this.failures.get(instance)?.count ?? 0;
  }

  /** The first non-empty context stored under one of `keys`, tried in order. */
  get(instance: string, keys: readonly string[]): CachedContext {
    const contexts = this.byInstance.get(instance)?.contexts;
    for (const k of keys) {
      const c = contexts?.get(k);
      if (c && Object.keys(c).length) return c;
    }
    return {};
  }

  /**
   * Keeps only what is stored under `listed()` (the match keys of the joins the instance's QoS
   * answer lists now; asked only when something is stored): the participants who left and are
   * no longer listed go, so a meeting that runs all day keeps the context of the people in it,
   * not of everyone who ever joined.
   */
  retain(instance: string, listed: () => ReadonlySet<string>): void {
    const entry = this.byInstance.get(instance);
    if (!entry) return;
    const keys = listed();
    for (const k of entry.contexts.keys()) if (!keys.has(k)) entry.contexts.delete(k);
    for (const k of entry.absent.keys()) if (!keys.has(k)) entry.absent.delete(k);
    for (const k of entry.leftRead) if (!keys.has(k)) entry.leftRead.delete(k);
  }

  /** Keys an instance's entry holds (contexts, absent joins, left joins read): tests. */
  sizeOf(instance: string): number {
    const entry = this.byInstance.get(instance);
    return entry ? entry.contexts.size + entry.absent.size + entry.leftRead.size : 0;
  }

  forget(instance: string): void {
    this.byInstance.delete(instance);
    this.failures.delete(instance);
  }
}

const MINUTE = 60_000;

function retryAfter(failures: number, refreshMs: number): number {
  return Math.min(MINUTE * 2 ** (failures - 1), Math.max(MINUTE, Math.min(refreshMs, 30 * MINUTE)));
}
