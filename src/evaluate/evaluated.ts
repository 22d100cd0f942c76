import { isRefinement } from '../normalize/dedup.js';
import type { QosSample } from '../normalize/sample.js';
import { instanceKey, type PipelineEvent } from '../normalize/events.js';

const who = (s: QosSample): string => `${instanceKey(s.instance)}/${s.participant.key}`;

/**
 * The newest sample time evaluated for each participant (`instance/participant`), saved with
 * the alert state. Zoom's live QoS answers repeat the last minutes, so after a restart the
 * samples of an alert that already fired and resolved come again; without this they would fire
 * (and notify) it a second time. A sample of the newest time evaluated passes only when it is
 * that minute refined by a stream type pushed later (normalize/dedup.ts).
 */
export class EvaluatedUpTo {
  readonly times: Map<string, number>;

  constructor(
    saved: Readonly<Record<string, number>> = {},
    /** How long (in sample time) a participant's entry is kept after the newest sample seen. */
    private readonly keepMs = 3 * 3_600_000,
  ) {
    this.times = new Map(Object.entries(saved));
  }

  /** The event without samples already evaluated; remembers each participant's newest time. */
  filter(event: PipelineEvent): PipelineEvent {
    if (event.type !== 'samples') return event;
    const samples = this.times.size
      ? event.samples.filter((s) => {
          const t = this.times.get(who(s)) ?? -Infinity;
          // A stream type pushed after its minute was evaluated refines that minute (step()).
          return s.time > t || (s.time === t && isRefinement(s));
        })
      : event.samples;
    for (const s of samples) {
      const k = who(s);
      if (s.time > (this.times.get(k) ?? -Infinity)) this.times.set(k, s.time);
    }
    return samples.length === event.samples.length ? event : { type: 'samples', samples };
  }

  /** Forgets participants with nothing newer than `keepMs` before the newest sample seen. */
  prune(): void {
    let newest = -Infinity;
    for (const t of this.times.values()) if (t > newest) newest = t;
    for (const [k, t] of this.times) if (t < newest - this.keepMs) this.times.delete(k);
  }
}
