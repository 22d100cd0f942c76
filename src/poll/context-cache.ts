import type { ParticipantContext } from '../normalize/sample.js';

/** Context plus the e-mail, which only the participants endpoint carries (QoS answers do not). */
export type CachedContext = ParticipantContext & { email?: string };

/**
 * Participant context (network type, data center, connection type, location, device,
 * version) per instance, read from the participants endpoint when a participant first
 * appears and again after `refreshMs`; it changes rarely and costs Heavy calls.
 */
export class ContextCache {
  private readonly byInstance = new Map<
    string,
    { fetchedAt: number; contexts: Map<string, CachedContext> }
  >();

  constructor(private readonly refreshMs: number) {}

  /** Whether the instance's context must be (re)read before these participants can be described. */
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

  get(instance: string, key: string): CachedContext {
    return this.byInstance.get(instance)?.contexts.get(key) ?? {};
  }

  forget(instance: string): void {
    this.byInstance.delete(instance);
  }
}
