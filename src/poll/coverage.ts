import type { QosSample } from '../normalize/sample.js';
import { TimeBase } from '../util/time-base.js';

export interface CoverageReport {
  /** Participants present in live instances (those never polled yet as discovery counted them). */
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
  /**
   * instance key -> participant key -> newest sample time (or join time when none yet), as
   * `base` keeps it (util/time-base.ts: no heap number per participant).
   */
  private readonly live = new Map<string, Map<string, number>>();
  private readonly base = new TimeBase();
  /**
   * Instances discovery lists that no poll (or push) has answered yet: their participant count
   * as discovery gave it, and when they were first listed. They count as uncovered, so an
   * instance the budget never lets the planner poll lowers coverage instead of being left out.
   */
  private readonly unpolled = new Map<string, { participants: number; since: number }>();

  constructor(private readonly freshAgeMs: number) {}

  /** An instance discovery lists, with its participant count: uncovered until polled or pushed. */
  listed(instance: string, participants: number, now: number): void {
    if (this.live.has(instance)) return;
    const since = this.unpolled.get(instance)?.since ?? now;
    this.unpolled.set(instance, { participants: Math.max(0, participants), since });
  }

  /** The instance's present participants, as its last poll listed them. */
  present(instance: string, participants: readonly string[], now: number): void {
    this.unpolled.delete(instance);
    const old = this.live.get(instance) ?? new Map<string, number>();
    const next = new Map<string, number>();
    for (const p of participants) next.set(p, old.get(p) ?? this.base.kept(now - this.freshAgeMs));
    this.live.set(instance, next);
  }

  samples(instance: string, samples: readonly QosSample[]): void {
    const m = this.live.get(instance);
    if (!m) return;
    for (const s of samples) {
      const t = m.get(s.participant.key);
      if (t !== undefined && s.time > this.base.time(t)) m.set(s.participant.key, this.base.kept(s.time));
    }
  }

  /** Pushed samples: their participants are live (pushes list no one else), their times fresh. */
  pushed(instance: string, samples: readonly QosSample[], now: number): void {
    this.unpolled.delete(instance);
    let m = this.live.get(instance);
    if (!m) this.live.set(instance, (m = new Map<string, number>()));
    for (const s of samples) {
      const t = m.get(s.participant.key);
      if (t === undefined) m.set(s.participant.key, this.base.kept(Math.min(s.time, now)));
      else if (s.time > this.base.time(t)) m.set(s.participant.key, this.base.kept(s.time));
    }
  }

  /** A participant the pushes said has left. */
  left(instance: string, participant: string): void {
    this.live.get(instance)?.delete(participant);
  }

  ended(instance: string): void {
    this.unpolled.delete(instance);
    this.live.delete(instance);
  }

  report(now: number): CoverageReport {
    let live = 0;
    let fresh = 0;
    let maxStalenessMs = 0;
    for (const m of this.live.values()) {
      for (const t of m.values()) {
        live++;
        const age = now - this.base.time(t);
        if (age < this.freshAgeMs) fresh++;
        maxStalenessMs = Math.max(maxStalenessMs, age);
      }
    }
    // Never polled: stale since they were listed, as a poll's new participant is from its join.
    for (const u of this.unpolled.values()) {
      live += u.participants;
      if (u.participants) maxStalenessMs = Math.max(maxStalenessMs, now - u.since + this.freshAgeMs);
    }
    this.base.rebase(now, this.live.values());
    return { live, fresh, ratio: live ? fresh / live : 1, maxStalenessMs };
  }
}
