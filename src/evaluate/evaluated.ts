import { isRefinement } from '../normalize/dedup.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import { instanceKey, type PipelineEvent } from '../normalize/events.js';
import { TimeBase } from '../util/time-base.js';

/** A participant's name in the saved state: `instance/participant`. */
const savedName = (ikey: string, pkey: string): string => `${ikey}/${pkey}`;

/**
 * The newest sample time evaluated for each participant, saved with the alert state (as
 * `instance/participant`). Zoom's live QoS answers repeat the last minutes, so after a restart
 * the samples of an alert that already fired and resolved come again; without this they would
 * fire (and notify) it a second time. A sample of the newest time evaluated passes only when it
 * is that minute refined by a stream type pushed later (normalize/dedup.ts).
 *
 * Kept by instance, then participant: the keys are the ones the samples and the other holders
 * already have, not a joined string per participant (about 100 bytes each, for 3 hours after
 * a join leaves). Saved names are only joined when written, and only split by finding them
 * again: an instance key and a participant key may both hold a `/`, so a saved name is looked
 * up whole (`restored`) until its participant is seen again or it is pruned. The times are
 * kept as ms after a base (util/time-base.ts): no heap number per participant.
 */
export class EvaluatedUpTo {
  /** Instance key -> participant key -> newest time evaluated (as `base` keeps it). */
  private readonly byInstance = new Map<string, Map<string, number>>();
  private readonly base = new TimeBase();
  /** Saved times not seen again since the start, by saved name. */
  private readonly restored: Map<string, number>;
  /** The instance last looked up, and its key: a batch's samples mostly share one. */
  private lastRef: InstanceRef | undefined;
  private lastKey = '';

  constructor(
    saved: Readonly<Record<string, number>> = {},
    /** How long (in sample time) a participant's entry is kept after the newest sample seen. */
    private readonly keepMs = 3 * 3_600_000,
  ) {
    this.restored = new Map(Object.entries(saved));
  }

  /** The event without samples already evaluated; remembers each participant's newest time. */
  filter(event: PipelineEvent): PipelineEvent {
    if (event.type !== 'samples') return event;
    // Every sample is judged against the times before the event, then the times move on.
    const samples =
      this.byInstance.size || this.restored.size
        ? event.samples.filter((s) => {
            const t = this.timeOf(this.timesOf(s), s.participant.key);
            // A stream type pushed after its minute was evaluated refines that minute (step()).
            return s.time > t || (s.time === t && isRefinement(s));
          })
        : event.samples;
    for (const s of samples) {
      const times = this.timesOf(s);
      const k = s.participant.key;
      if (s.time > this.timeOf(times, k)) times.set(k, this.base.kept(s.time));
    }
    return samples.length === event.samples.length ? event : { type: 'samples', samples };
  }

  /** The times of the sample's instance (made when missing), with its participant's saved time moved in. */
  private timesOf(s: QosSample): Map<string, number> {
    if (s.instance !== this.lastRef) {
      this.lastRef = s.instance;
      this.lastKey = instanceKey(s.instance);
    }
    const ikey = this.lastKey;
    let times = this.byInstance.get(ikey);
    if (!times) this.byInstance.set(ikey, (times = new Map<string, number>()));
    if (this.restored.size) {
      const name = savedName(ikey, s.participant.key);
      const t = this.restored.get(name);
      if (t !== undefined) {
        this.restored.delete(name);
        if (t > this.timeOf(times, s.participant.key)) times.set(s.participant.key, this.base.kept(t));
      }
    }
    return times;
  }

  /** A participant's newest time evaluated in `times`, or -Infinity. */
  private timeOf(times: Map<string, number>, pkey: string): number {
    const kept = times.get(pkey);
    return kept === undefined ? -Infinity : this.base.time(kept);
  }

  /** Participants remembered. */
  get size(): number {
    let n = this.restored.size;
    for (const times of this.byInstance.values()) n += times.size;
    return n;
  }

  /** Each participant's saved name (`instance/participant`) and newest time evaluated: what is saved. */
  *entries(): IterableIterator<[string, number]> {
    yield* this.restored;
    for (const [ikey, times] of this.byInstance)
      for (const [pkey, t] of times) yield [savedName(ikey, pkey), this.base.time(t)];
  }

  /** Forgets participants with nothing newer than `keepMs` before the newest sample seen. */
  prune(): void {
    let newest = -Infinity;
    for (const t of this.restored.values()) if (t > newest) newest = t;
    for (const times of this.byInstance.values())
      for (const t of times.values()) newest = Math.max(newest, this.base.time(t));
    const horizon = newest - this.keepMs;
    for (const [k, t] of this.restored) if (t < horizon) this.restored.delete(k);
    for (const [ikey, times] of this.byInstance) {
      for (const [k, t] of times) if (this.base.time(t) < horizon) times.delete(k);
      if (!times.size) this.byInstance.delete(ikey);
    }
    this.base.rebase(newest, this.byInstance.values());
  }
}
