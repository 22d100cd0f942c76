import type { QosSample } from './sample.js';

/** How often (in the clock's time) joins gone quiet are looked for: a sweep costs one pass over every join. */
const PRUNE_EVERY_MS = 60_000;

/**
 * Zoom's live QoS answers repeat the last minutes' samples on every poll. This remembers, per
 * participant (instance and participant key, as the rule engine follows them), the newest
 * sample time handed on: a sample passes only when it is newer, so each (participant,
 * date_time) passes once and in time order. One number per participant, whatever the number
 * of minutes; a participant with nothing newer for `retentionMs` is forgotten.
 */
export class SampleDeduplicator {
  /** Instance key -> participant key -> newest sample time handed on. */
  private readonly newest = new Map<string, Map<string, number>>();
  private lastPrune = -Infinity;
  private joins = 0;

  constructor(private readonly retentionMs: number) {}

  /**
   * The newest sample time handed on for a join (looked up by its own key), or -Infinity: its
   * entries up to then would not pass, so they need not be read. A rejoin linked to an earlier
   * join's key is not found by its own key, and is read in full.
   */
  seenUpTo(instance: QosSample['instance'], join: string): number {
    return this.newest.get(instanceKeyOf(instance))?.get(join) ?? -Infinity;
  }

  /** The samples not seen before, sorted by time. */
  filter(samples: readonly QosSample[], now: number): QosSample[] {
    const fresh: QosSample[] = [];
    let last: { key: string; joins: Map<string, number> } | undefined;
    for (const s of samples) {
      const joins = this.joinsOf(s, last);
      last = joins;
      const t = joins.joins.get(keyOf(s));
      if (t === undefined || s.time > t) fresh.push(s);
    }
    // Stable: in time order, a repeat within the batch comes right after the one that passed.
    fresh.sort((a, b) => a.time - b.time);
    const out: QosSample[] = [];
    last = undefined;
    for (const s of fresh) {
      const joins = this.joinsOf(s, last);
      last = joins;
      const join = keyOf(s);
      const t = joins.joins.get(join);
      if (t !== undefined && s.time <= t) continue;
      if (t === undefined) this.joins++;
      joins.joins.set(join, s.time);
      out.push(s);
    }
    this.prune(now);
    return out;
  }

  private joinsOf(
    s: QosSample,
    last: { key: string; joins: Map<string, number> } | undefined,
  ): { key: string; joins: Map<string, number> } {
    const key = instanceKeyOf(s.instance);
    if (last?.key === key) return last;
    let joins = this.newest.get(key);
    if (!joins) this.newest.set(key, (joins = new Map<string, number>()));
    return { key, joins };
  }

  private prune(now: number): void {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const horizon = now - this.retentionMs;
    for (const [key, joins] of this.newest) {
      for (const [join, t] of joins)
        if (t < horizon) {
          joins.delete(join);
          this.joins--;
        }
      if (!joins.size) this.newest.delete(key);
    }
  }

  /** Participants remembered. */
  get size(): number {
    return this.joins;
  }
}

const instanceKeyOf = (i: QosSample['instance']): string => `${i.kind}\u0000${i.uuid}`;
const keyOf = (s: QosSample): string => s.participant.key;
