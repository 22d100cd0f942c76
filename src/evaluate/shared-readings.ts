import { grown } from '../util/grown.js';

/** What the family's readings are to it: a rule's readings (member-group.ts, GroupReadings). */
interface RuleReadings {
  time: Float64Array;
  value: Float64Array;
  breach: Uint8Array;
  shared: SharedReadings | undefined;
  sharedAt: number;
}

/**
 * The readings a family of group rules (group-keys.ts) holds alike, kept once for all of its
 * rules. A join whose reading is the same under every rule of the family (in the same group, at
 * the same time with the same value, taken with the same context) is `shared`: its time and
 * value are kept here, not in each rule's arrays, and whether it breaches a rule is its value
 * against the rule's threshold, as a rule's own reading's is (GroupReadings reads them here
 * while it is). A reading then costs the family one write, not one per rule (family-pass.ts: 12
 * group rules over 100,000 samples wrote 1.2 M readings a minute). Anything else done to such a
 * reading under one rule (a move to another group, a join leaving) first writes it back into
 * every rule's arrays (`unshare`).
 */
export class SharedReadings {
  /** Per join slot: 1 while its reading is shared. */
  shared = new Uint8Array(0);
  time = new Float64Array(0);
  value = new Float64Array(0);
  /** The join's stamp (JoinSlots.see) every rule's reading took its context at (GroupReadings.tookAt). */
  took = new Int32Array(0);

  /** Per rule of the family: its threshold (as the family was made: a reload makes new families). */
  private readonly thresholds: Float64Array;

  /**
   * `readings`: the family's rules' readings, and `rules` the rules, in the family's order
   * (each reading told its place, GroupReadings.sharedAt); `above`: whether they breach above
   * their thresholds (a family reads one column: columns.ts).
   */
  constructor(
    readonly readings: readonly RuleReadings[],
    rules: readonly { threshold: number }[],
    readonly above: boolean,
  ) {
    this.thresholds = Float64Array.from(rules, (r) => r.threshold);
    readings.forEach((r, k) => {
      r.shared = this;
      r.sharedAt = k;
    });
  }

  /** Whether the shared reading of `slot` breaches rule `k` of the family. */
  breaches(k: number, slot: number): boolean {
    const v = this.value[slot]!;
    return this.above ? v > this.thresholds[k]! : v < this.thresholds[k]!;
  }

  grow(capacity: number): void {
    if (this.took.length >= capacity) return;
    const size = Math.max(capacity, this.took.length * 2);
    this.shared = grown(this.shared, size);
    this.time = grown(this.time, size);
    this.value = grown(this.value, size);
    this.took = grown(this.took, size);
  }

  /** Whether the reading of `slot` is shared. */
  has(slot: number): boolean {
    return this.shared[slot] === 1;
  }

  /** Shares the reading of `slot`: every rule's reading is in its group, at `time` with `value`. */
  share(slot: number, time: number, value: number, took: number): void {
    this.shared[slot] = 1;
    this.time[slot] = time;
    this.value[slot] = value;
    this.took[slot] = took;
  }

  /** The shared reading of `slot`, if it is, written into every rule's arrays, and not shared any more. */
  unshare(slot: number): void {
    if (this.shared[slot] !== 1) return;
    this.shared[slot] = 0;
    const time = this.time[slot]!;
    const value = this.value[slot]!;
    this.readings.forEach((r, k) => {
      r.time[slot] = time;
      r.value[slot] = value;
      r.breach[slot] = this.breaches(k, slot) ? 1 : 0;
    });
  }

  /** Every shared reading unshared (a reload: the family's rules go into new families). */
  unshareAll(): void {
    for (let s = 0; s < this.shared.length; s++) this.unshare(s);
  }
}
