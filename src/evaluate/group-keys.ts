import type { QosSample } from '../normalize/sample.js';
import { matcherKey } from './compile.js';
import type { GroupReadings } from './member-group.js';
import type { CompiledRule } from './rule-types.js';
import { groupOf } from './rule-value.js';
import { SharedReadings } from './shared-readings.js';
import { grown } from '../util/grown.js';

/**
 * What a family of group rules works out from each join alike: whether their filters match it
 * and the group it is in (its instance key or group value), as a small integer per join slot,
 * the group's slot. The rules of a family read the same column, have the same scope and
 * group_by and the same filters (the same matcher), so one pass over the column serves them
 * all (group-rules.ts), and a rule finds its group of a join by the group slot
 * (GroupReadings.groups), not by a key and a group object per rule and join slot (12 rules x
 * 100,000 joins held 19 MB of those).
 */
export class GroupKeys {
  /** Per join slot: the stamp (JoinSlots.see) its group was worked out at (0: never). */
  stamp = new Int32Array(0);
  /**
   * Per join slot: its group's slot + 1; 0: the filters do not match it; -1: they do, but its
   * sample has no group value (missing data: group-rules.ts).
   */
  group = new Int32Array(0);
  /** Per group slot: its key (undefined when free) and how many join slots are in it. */
  private readonly keys: (string | undefined)[] = [];
  private readonly joins: number[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly free: number[] = [];

  /** What the family's rules' readings hold alike (shared-readings.ts). */
  readonly shared: SharedReadings;
  /** Any of the family's rules: read for the filters and the group. */
  private readonly rule: CompiledRule;

  /** `rules`: the family's rules (their places in the rule set's group rules), `ruleList` they, and their readings. */
  constructor(
    readonly rules: readonly number[],
    ruleList: readonly CompiledRule[],
    private readonly readings: readonly GroupReadings[],
  ) {
    this.rule = ruleList[0]!;
    this.shared = new SharedReadings(readings, ruleList, this.rule.above);
  }

  grow(capacity: number): void {
    if (this.stamp.length >= capacity) return;
    const size = Math.max(capacity, this.stamp.length * 2);
    this.stamp = grown(this.stamp, size);
    this.group = grown(this.group, size);
  }

  /** The key of a group slot (1-based, as `group` holds it). */
  keyOf(g: number): string {
    return this.keys[g - 1]!;
  }

  /** Works out the slot's group again: its join's sample `s` (of instance `ikey`) differs from the one before. */
  refresh(slot: number, stamp: number, s: QosSample, ikey: string): void {
    const rule = this.rule;
    this.stamp[slot] = stamp;
    const matched = rule.matches(s);
    const key = matched
      ? (rule.scope === 'instance' ? ikey : groupOf(rule, s.context)) || undefined
      : undefined;
    const was = this.group[slot]!;
    if (was > 0 && key === this.keys[was - 1]) return;
    this.group[slot] = key !== undefined ? this.take(key) : matched ? -1 : 0;
    if (was > 0) this.release(was);
  }

  /** Freed join slots: worked out again when next seen. */
  forget(slots: readonly number[]): void {
    for (const s of slots) {
      if (s >= this.stamp.length) continue;
      this.stamp[s] = 0;
      const was = this.group[s]!;
      this.group[s] = 0;
      if (was > 0) this.release(was);
    }
  }

  /**
   * An instance that ended: its group left the state, and its rules find it again through the
   * state (a sample of the instance after its end makes a new one). Only a family of meeting
   * rules has instances' groups: another's keys are values, and a value may read as an
   * instance's key (a data center `meeting:y`).
   */
  dropped(ikey: string): void {
    if (this.rule.scope !== 'instance') return;
    const g = this.byKey.get(ikey);
    if (g !== undefined) this.unset(g + 1);
  }

  private take(key: string): number {
    let g = this.byKey.get(key);
    if (g === undefined) {
      g = this.free.pop() ?? this.keys.length;
      this.keys[g] = key;
      this.joins[g] = 0;
      this.byKey.set(key, g);
    }
    this.joins[g]!++;
    return g + 1;
  }

  private release(g1: number): void {
    const g = g1 - 1;
    if (--this.joins[g]! > 0) return;
    this.byKey.delete(this.keys[g]!);
    this.keys[g] = undefined;
    this.unset(g1);
    this.free.push(g);
  }

  /**
   * The rules' groups of a group slot are found again when next needed. A reading the family
   * shares is in its rules' groups of its group slot as they are (family-pass.ts moves it there
   * on that): the readings in the groups let go of are written back (read rule by rule at their
   * next sample, which finds the groups again). Those of other group slots stay shared: a
   * meeting's end wrote back every shared reading of its family (100,000 joins x 12 rules).
   */
  private unset(g1: number): void {
    for (const r of this.readings) {
      if (g1 >= r.groups.length) continue;
      r.groups[g1]?.unshareMembers();
      r.groups[g1] = undefined;
    }
  }
}

/**
 * The group rules of a rule set in families (see GroupKeys): same column, scope, group_by and
 * matcher. `readings`: each group rule's readings, in the rule set's `group` order.
 */
export function groupFamilies(
  rules: readonly CompiledRule[],
  columnOf: readonly number[],
  readings: readonly GroupReadings[],
): GroupKeys[] {
  const byFamily = new Map<string, number[]>();
  /** Matchers not made by compile.ts, each a family of its own. */
  const others = new Map<CompiledRule['matches'], number>();
  rules.forEach((r, i) => {
    let matcher = matcherKey(r.matches);
    if (matcher === undefined) {
      if (!others.has(r.matches)) others.set(r.matches, others.size);
      matcher = String(others.get(r.matches));
    } else matcher = `=${matcher}`;
    const k = JSON.stringify([columnOf[i], r.scope, r.groupBy ?? '', matcher]);
    const list = byFamily.get(k);
    if (list) list.push(i);
    else byFamily.set(k, [i]);
  });
  return [...byFamily.values()].map(
    (list) =>
      new GroupKeys(
        list,
        list.map((i) => rules[i]!),
        list.map((i) => readings[i]!),
      ),
  );
}
