/** How far from the base a time may be before the times kept are moved to a new one: within V8's small integers (31 bits) with room to spare. */
const DRIFT_MS = 2 ** 29;

/**
 * Times (epoch ms) kept as the values of maps, one per participant: kept as ms after a base
 * (the first time kept, moved on when they drift far from it), whole numbers V8 holds in the
 * map's entry itself. An epoch ms is too large for that: each took a heap number of its own,
 * 16 B more per entry. Exact: a time and its base are both whole ms, or close enough for their
 * difference to be exact (epoch ms of the same years), and so is the sum back.
 */
export class TimeBase {
  private base = 0;
  private based = false;

  /** What to keep for the time `t`. */
  kept(t: number): number {
    if (!this.based && Number.isFinite(t)) {
      this.base = t;
      this.based = true;
    }
    return t - this.base;
  }

  /** The time a kept value stands for. */
  time(kept: number): number {
    return kept + this.base;
  }

  /**
   * Moves the base to `newest` when that is far from it (days), rewriting every value of `maps`,
   * which must be all the maps this base's values are kept in: the times kept stay small
   * however long the process runs. A pass over the values, so called where one is made anyway.
   */
  rebase(newest: number, maps: Iterable<Map<unknown, number>>): void {
    if (!Number.isFinite(newest) || Math.abs(newest - this.base) < DRIFT_MS) return;
    const shift = newest - this.base;
    for (const m of maps) for (const [k, v] of m) m.set(k, v - shift);
    this.base = newest;
    this.based = true;
  }
}
