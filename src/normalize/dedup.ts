import { sampleKey, type QosSample } from './sample.js';

/**
 * Zoom's live QoS answers repeat the last minutes' samples on every poll. This remembers,
 * per participant, the newest sample time handed on, and keeps a bounded window of keys,
 * so each (participant, date_time) passes once and in time order.
 */
export class SampleDeduplicator {
  private readonly seen = new Map<string, number>();

  constructor(private readonly retentionMs: number) {}

  /** The samples not seen before, sorted by time. */
  filter(samples: readonly QosSample[], now: number): QosSample[] {
    const fresh: QosSample[] = [];
    for (const s of samples) {
      const k = sampleKey(s);
      if (this.seen.has(k)) continue;
      this.seen.set(k, s.time);
      fresh.push(s);
    }
    this.prune(now);
    return fresh.sort((a, b) => a.time - b.time);
  }

  private prune(now: number): void {
    const horizon = now - this.retentionMs;
    for (const [k, t] of this.seen) if (t < horizon) this.seen.delete(k);
  }

  get size(): number {
    return this.seen.size;
  }
}
