import type { QosSample } from '../normalize/sample.js';

export interface CoverageReport {
  /** Participants present in live instances. */
  live: number;
  /** Of those, the ones whose newest sample is younger than the fresh age. */
  fresh: number;
  /** fresh / live; 1 when nobody is live. */
  ratio: number;
  /** Age of the stalest live participant's newest sample (ms); 0 when nobody is live. */
  maxStalenessMs: number;
}

/**
 * Who is live and how fresh their data is: the share of live participants whose newest
 * sample is younger than `freshAgeMs` tells whether the budget keeps up.
 */
export class CoverageTracker {
  /** instance key -> participant key -> newest sample time (or join time when none yet). */
  private readonly live = new Map<string, Map<string, number>>();

  constructor(private readonly freshAgeMs: number) {}

  /** The instance's present participants, as its last poll listed them. */
  present(instance: string, participants: readonly string[], now: number): void {
    const old = this.live.get(instance) ?? new Map<string, number>();
    const next = new Map<string, number>();
    for (const p of participants) next.set(p, old.get(p) ?? now - this.freshAgeMs);
    this.live.set(instance, next);
  }

  samples(instance: string, samples: readonly QosSample[]): void {
    const m = this.live.get(instance);
    if (!m) return;
    for (const s of samples) {
      const t = m.get(s.participant.key);
      if (t !== undefined && s.time > t) m.set(s.participant.key, s.time);
    }
  }

  /** Pushed samples: their participants are live (pushes list no one else), their times fresh. */
  pushed(instance: string, samples: readonly QosSample[], now: number): void {
    let m = this.live.get(instance);
    if (!m) this.live.set(instance, (m = new Map<string, number>()));
    for (const s of samples) {
      const t = m.get(s.participant.key);
      if (t === undefined) m.set(s.participant.key, Math.min(s.time, now));
      else if (s.time > t) m.set(s.participant.key, s.time);
    }
  }

  /** A participant the pushes said has left. */
  left(instance: string, participant: string): void {
    this.live.get(instance)?.delete(participant);
  }

  ended(instance: string): void {
    this.live.delete(instance);
  }

  report(now: number): CoverageReport {
    let live = 0;
    let fresh = 0;
    let maxStalenessMs = 0;
    for (const m of this.live.values()) {
      for (const t of m.values()) {
        live++;
        const age = now - t;
        if (age < this.freshAgeMs) fresh++;
        maxStalenessMs = Math.max(maxStalenessMs, age);
      }
    }
    return { live, fresh, ratio: live ? fresh / live : 1, maxStalenessMs };
  }
}
