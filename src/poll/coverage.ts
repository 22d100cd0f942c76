import type { QosSample } from '../normalize/sample.js';
import { TimeBase } from '../util/time-base.js';

export interface CoverageReport {
  /** Participants present in live instances (those never polled yet as discovery counted them). */
  live: number;
  /** Of those, the ones whose newest sample is younger than the fresh age (not of an instance whose last poll failed). */
  fresh: number;
  /** fresh / live; null when nobody is live (nothing to cover: not 100%). */
  ratio: number | null;
  /** Age of the stalest live participant's newest sample (ms); 0 when nobody is live. */
  maxStalenessMs: number;
}

/**
 * Who is live and how fresh their data is: the share of live participants whose newest
 * sample is younger than `freshAgeMs` tells whether the budget keeps up.
 */
export class CoverageTracker {
  /**
   * instance key -> its live participants and the newest sample time of each (or join time
   * when none yet): a polled instance's as its poll listed them (`Listed`: no map entry per
   * participant, 60 B each, kept for minutes to days); once pushes add to them or take from
   * them, a map (participant key -> time as `base` keeps it, util/time-base.ts).
   */
  private readonly live = new Map<string, Listed | Map<string, number>>();
  private readonly base = new TimeBase();
  /**
   * Instances discovery lists that no poll (or push) has answered yet: their participant count
   * as discovery gave it, and when they were first listed. They count as uncovered, so an
   * instance the budget never lets the planner poll lowers coverage instead of being left out.
   */
  private readonly unpolled = new Map<string, { participants: number; since: number }>();
  /**
   * Instances whose last poll failed (a page of the QoS answer refused, say): their participants
   * count as uncovered until a poll answers or pushes come, however young their newest samples
   * (a cycle that could not read the only meeting said coverage 100%).
   */
  private readonly unread = new Set<string>();

  constructor(private readonly freshAgeMs: number) {}

  /** An instance discovery lists, with its participant count: uncovered until polled or pushed. */
  listed(instance: string, participants: number, now: number): void {
    if (this.live.has(instance)) return;
    const since = this.unpolled.get(instance)?.since ?? now;
    this.unpolled.set(instance, { participants: Math.max(0, participants), since });
  }

  /** The instance's poll failed: uncovered until the next poll that answers, or a push. */
  failed(instance: string): void {
    if (this.live.has(instance)) this.unread.add(instance);
  }

  /** The instance's present participants, as its last poll listed them. */
  present(instance: string, participants: readonly string[], now: number): void {
    this.unpolled.delete(instance);
    this.unread.delete(instance);
    const old = this.live.get(instance);
    const unique = new Set(participants);
    const keys = unique.size === participants.length ? participants : [...unique];
    const times = new Array<number>(keys.length).fill(now - this.freshAgeMs);
    if (old instanceof Map)
      keys.forEach((p, i) => {
        const t = old.get(p);
        if (t !== undefined) times[i] = this.base.time(t);
      });
    else if (old) {
      const at = indexOf(old.keys);
      keys.forEach((p, i) => {
        const j = at.get(p);
        if (j !== undefined) times[i] = old.times[j]!;
      });
    }
    this.live.set(instance, { keys, times });
  }

  samples(instance: string, samples: readonly QosSample[]): void {
    const m = this.live.get(instance);
    if (!m) return;
    if (!(m instanceof Map)) {
      const at = indexOf(m.keys);
      for (const s of samples) {
        const i = at.get(s.participant.key);
        if (i !== undefined && s.time > m.times[i]!) m.times[i] = s.time;
      }
      return;
    }
    for (const s of samples) {
      const t = m.get(s.participant.key);
      if (t !== undefined && s.time > this.base.time(t)) m.set(s.participant.key, this.base.kept(s.time));
    }
  }

  /** Pushed samples: their participants are live (pushes list no one else), their times fresh. */
  pushed(instance: string, samples: readonly QosSample[], now: number): void {
    this.unpolled.delete(instance);
    this.unread.delete(instance);
    const m = this.mapOf(instance);
    for (const s of samples) {
      const t = m.get(s.participant.key);
      if (t === undefined) m.set(s.participant.key, this.base.kept(Math.min(s.time, now)));
      else if (s.time > this.base.time(t)) m.set(s.participant.key, this.base.kept(s.time));
    }
  }

  /** A participant the pushes said has left. */
  left(instance: string, participant: string): void {
    if (this.live.has(instance)) this.mapOf(instance).delete(participant);
  }

  /** The instance's participants as a map (made from the poll's list, or empty, when it is not one yet). */
  private mapOf(instance: string): Map<string, number> {
    const m = this.live.get(instance);
    if (m instanceof Map) return m;
    const made = new Map<string, number>();
    if (m) m.keys.forEach((p, i) => made.set(p, this.base.kept(m.times[i]!)));
    this.live.set(instance, made);
    return made;
  }

  ended(instance: string): void {
    this.unpolled.delete(instance);
    this.unread.delete(instance);
    this.live.delete(instance);
  }

  report(now: number): CoverageReport {
    let live = 0;
    let fresh = 0;
    let maxStalenessMs = 0;
    let read = true;
    const count = (t: number): void => {
      live++;
      const age = now - t;
      if (read && age < this.freshAgeMs) fresh++;
      maxStalenessMs = Math.max(maxStalenessMs, age);
    };
    for (const [instance, m] of this.live) {
      read = !this.unread.has(instance);
      if (m instanceof Map) for (const t of m.values()) count(this.base.time(t));
      else for (const t of m.times) count(t);
    }
    // Never polled: stale since they were listed, as a poll's new participant is from its join.
    for (const u of this.unpolled.values()) {
      live += u.participants;
      if (u.participants) maxStalenessMs = Math.max(maxStalenessMs, now - u.since + this.freshAgeMs);
    }
    this.base.rebase(now, maps(this.live.values()));
    return { live, fresh, ratio: live ? fresh / live : null, maxStalenessMs };
  }
}

/** A polled instance's participants as its last poll listed them, and the time of each (same order). */
interface Listed {
  keys: readonly string[];
  /** An array of exactly as many doubles (about 50 B a typed array's header and buffer would add). */
  times: number[];
}

/** Each key's place in `keys`. */
function indexOf(keys: readonly string[]): Map<string, number> {
  const at = new Map<string, number>();
  keys.forEach((k, i) => at.set(k, i));
  return at;
}

function* maps(all: Iterable<Listed | Map<string, number>>): Iterable<Map<string, number>> {
  for (const m of all) if (m instanceof Map) yield m;
}
