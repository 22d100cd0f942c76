import type { ParticipantContext } from '../normalize/sample.js';

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
    { fetchedAt: number; contexts: Map<string, CachedContext>; leftRead: Set<string> }
  >();

  /** Whether the instance's list must be (re)read now for what is wanted. */
  due(instance: string, want: ListWant, now: number): boolean {
    if (want.keys.length === 0) return false;
    const entry = this.byInstance.get(instance);
    if (!entry || now - entry.fetchedAt >= want.refreshMs) return true;
    return (
      want.keys.some((k) => !entry.contexts.has(k)) ||
      (want.leftKeys ?? []).some((k) => !entry.leftRead.has(k))
    );
  }

  /** Whether the list of this instance was read `refreshMs` or more ago (or never). */
  stale(instance: string, refreshMs: number, now: number): boolean {
    const entry = this.byInstance.get(instance);
    return !entry || now - entry.fetchedAt >= refreshMs;
  }

  /**
   * Stores a fresh read. The wanted keys it does not list are marked looked up (with empty
   * context), so a participant the endpoint omits is not re-read every poll; left joins are
   * marked read.
   */
  store(instance: string, contexts: Map<string, CachedContext>, want: ListWant, now: number): void {
    const old = this.byInstance.get(instance);
    // Keep what we knew of participants the new answer no longer lists.
    if (old) for (const [k, v] of old.contexts) if (!contexts.has(k)) contexts.set(k, v);
    for (const k of want.keys) if (!contexts.has(k)) contexts.set(k, {});
    const leftRead = old?.leftRead ?? new Set<string>();
    for (const k of want.leftKeys ?? []) leftRead.add(k);
    this.byInstance.set(instance, { fetchedAt: now, contexts, leftRead });
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

  forget(instance: string): void {
    this.byInstance.delete(instance);
  }
}
