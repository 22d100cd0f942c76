import type { ParticipantContext } from '../normalize/sample.js';

/**
 * What the participants list adds to a QoS entry: context, the e-mail, and the person the join
 * belongs to (older QoS entries carry neither the account `id` nor `participant_user_id`).
 */
export type CachedContext = ParticipantContext & { email?: string; person?: string };

/**
 * Participant context (network type, data center, connection type, location, device,
 * version) per instance, read from the participants endpoint only for joins whose QoS entry
 * lacks it, when such a join first appears and again after `refreshMs`; it changes rarely and
 * costs Heavy calls. Entries are stored under every key they can be matched on (`user_id`,
 * `participant_user_id`, `participant_uuid`: see normalize/identity.ts contextKeys).
 */
export class ContextCache {
  private readonly byInstance = new Map<
    string,
    { fetchedAt: number; contexts: Map<string, CachedContext> }
  >();

  constructor(private readonly refreshMs: number) {}

  /** Whether the instance's context must be (re)read before these joins (their first match key) can be described. */
  needsFetch(instance: string, keys: readonly string[], now: number): boolean {
    const entry = this.byInstance.get(instance);
    if (!entry || now - entry.fetchedAt >= this.refreshMs) return keys.length > 0;
    return keys.some((k) => !entry.contexts.has(k));
  }

  store(instance: string, contexts: Map<string, CachedContext>, now: number): void {
    const old = this.byInstance.get(instance)?.contexts;
    // Keep what we knew of participants the new answer no longer lists.
    if (old) for (const [k, v] of old) if (!contexts.has(k)) contexts.set(k, v);
    this.byInstance.set(instance, { fetchedAt: now, contexts });
  }

  /** Marks keys as looked up (with empty context) so a participant the endpoint omits is not re-fetched every poll. */
  settle(instance: string, keys: readonly string[]): void {
    const entry = this.byInstance.get(instance);
    if (entry) for (const k of keys) if (!entry.contexts.has(k)) entry.contexts.set(k, {});
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
