/** The members of a group whose newest reading is at one sample time. */
interface TimeTally {
  total: number;
  breaching: number;
  /** Instance key -> how many breaching members it has. */
  breachingIn: Map<string, number>;
}

/** What an observation of a group at a sample time counts (see group-rules.ts). */
export interface GroupCount {
  total: number;
  breaching: number;
  /** Instances with a breaching member. */
  instances: number;
}

/**
 * A group's members tallied by the sample time of their newest reading, so that observing
 * the group costs one step per distinct sample time instead of one per member. A poll hands
 * on its samples instance by instance, and every instance's samples observe the data-center
 * group again: without the tally a cycle costs instances x members.
 */
export class TimeTallies {
  private readonly byTime = new Map<number, TimeTally>();
  /** The two tallies last counted in, by time: a cycle moves every member from one time to the next. */
  private t0 = NaN;
  private tally0: TimeTally | undefined;
  private t1 = NaN;
  private tally1: TimeTally | undefined;

  /**
   * Counts a reading in (`delta` 1) or out (-1); `ikey` is its instance's key. Readings that do
   * not breach may be counted several at once (`delta` n or -n; `ikey` is not read).
   */
  count(time: number, breaching: boolean, ikey: string, delta: number): void {
    const tally = this.at(time);
    tally.total += delta;
    if (breaching) {
      tally.breaching += delta;
      const n = (tally.breachingIn.get(ikey) ?? 0) + delta;
      if (n > 0) tally.breachingIn.set(ikey, n);
      else tally.breachingIn.delete(ikey);
    }
    if (tally.total) return;
    this.byTime.delete(time);
    if (this.tally0 === tally) this.tally0 = undefined;
    if (this.tally1 === tally) this.tally1 = undefined;
  }

  /**
   * The readings at most `gapMs` older than `t`, and not newer: how many, how many breach,
   * and in how many instances. Undefined when a reading newer than `t` is one a `late` tells
   * is unknown at `t` (see unknown-readings.ts).
   */
  countAt(t: number, gapMs: number, late: (time: number) => boolean): GroupCount | undefined {
    let total = 0;
    let breaching = 0;
    let instances: Set<string> | undefined;
    let only: Map<string, number> | undefined;
    for (const [time, tally] of this.byTime) {
      if (time > t) {
        if (late(time)) return undefined;
        continue;
      }
      if (time < t - gapMs) continue;
      total += tally.total;
      breaching += tally.breaching;
      if (!tally.breachingIn.size) continue;
      if (!only)
        only = tally.breachingIn; // one sample time (the usual case): no set to build
      else {
        instances ??= new Set(only.keys());
        for (const ikey of tally.breachingIn.keys()) instances.add(ikey);
      }
    }
    return { total, breaching, instances: instances?.size ?? only?.size ?? 0 };
  }

  private at(time: number): TimeTally {
    if (this.t0 === time && this.tally0) return this.tally0;
    if (this.t1 === time && this.tally1) return this.tally1;
    let tally = this.byTime.get(time);
    if (!tally) this.byTime.set(time, (tally = { total: 0, breaching: 0, breachingIn: new Map() }));
    this.t1 = this.t0;
    this.tally1 = this.tally0;
    this.t0 = time;
    this.tally0 = tally;
    return tally;
  }
}
