/** The members of a group whose newest reading is at one sample time. */
interface TimeTally {
  total: number;
  breaching: number;
  /**
   * Instance (its number: JoinSlots.instanceIdOf) -> how many breaching members it has, but for
   * the counts of the run of `runOf` (`run` of them) not yet written in (`settle`).
   */
  breachingIn: Map<number, number>;
  /**
   * The instance counted last (-1: none) and the sum of its counts since: a poll's samples come
   * instance by instance, so an instance's breaching members cost the map one step, not one each.
   */
  runOf: number;
  run: number;
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
   * Counts a reading in (`delta` 1) or out (-1); `instance` is its instance's number
   * (JoinSlots.instanceIdOf: a small integer, hashed without reading a string). Readings that do
   * not breach may be counted several at once (`delta` n or -n; `instance` is not read).
   */
  count(time: number, breaching: boolean, instance: number, delta: number): void {
    const tally = this.at(time);
    tally.total += delta;
    if (breaching) {
      tally.breaching += delta;
      if (tally.runOf === instance) tally.run += delta;
      else {
        settle(tally);
        tally.runOf = instance;
        tally.run = delta;
      }
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
    let instances: Set<number> | undefined;
    let only: Map<number, number> | undefined;
    for (const [time, tally] of this.byTime) {
      if (time > t) {
        if (late(time)) return undefined;
        continue;
      }
      if (time < t - gapMs) continue;
      total += tally.total;
      breaching += tally.breaching;
      settle(tally);
      if (!tally.breachingIn.size) continue;
      if (!only)
        only = tally.breachingIn; // one sample time (the usual case): no set to build
      else {
        instances ??= new Set(only.keys());
        for (const instance of tally.breachingIn.keys()) instances.add(instance);
      }
    }
    return { total, breaching, instances: instances?.size ?? only?.size ?? 0 };
  }

  private at(time: number): TimeTally {
    if (this.t0 === time && this.tally0) return this.tally0;
    if (this.t1 === time && this.tally1) return this.tally1;
    let tally = this.byTime.get(time);
    if (!tally)
      this.byTime.set(time, (tally = { total: 0, breaching: 0, breachingIn: new Map(), runOf: -1, run: 0 }));
    this.t1 = this.t0;
    this.tally1 = this.tally0;
    this.t0 = time;
    this.tally0 = tally;
    return tally;
  }
}

/**
 * Writes the tally's run (`TimeTally.runOf`) into its map: the map's count of the instance plus
 * the run is how many breaching members it has (never fewer than none), so the sum is written.
 */
function settle(tally: TimeTally): void {
  const { runOf, run } = tally;
  tally.runOf = -1;
  tally.run = 0;
  if (run === 0) return;
  const n = (tally.breachingIn.get(runOf) ?? 0) + run;
  if (n > 0) tally.breachingIn.set(runOf, n);
  else tally.breachingIn.delete(runOf);
}
