import type { InstanceRef, ParticipantContext, QosSample } from '../normalize/sample.js';
import type { CompiledRule } from './rule-types.js';
import { groupOf } from './rule-value.js';
import type { Member } from './series.js';

/** The members of a group whose newest reading is at one sample time. */
interface TimeTally {
  total: number;
  breaching: number;
  /** Instance uuid -> how many breaching members it has. */
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
 * The members of one shared-cause group (member's join slot -> newest reading), with their readings
 * tallied by sample time, so that observing the group costs one step per distinct sample time
 * instead of one per member. A poll hands on its samples instance by instance, and every
 * instance's samples observe the data-center group again: without the tally a cycle costs
 * instances x members. A Map still (the state file and the explainer read it as one); its
 * readings change only through `set`, `delete` and `update`.
 */
export class MemberGroup extends Map<number, Member> {
  private byTime: Map<number, TimeTally> | undefined;
  /** The group step that last touched it (group-rules.ts). */
  step = 0;

  /** `key`: the instance key or group value. */
  constructor(readonly key: string) {
    super();
  }

  override set(key: number, m: Member): this {
    const old = super.get(key);
    if (old) this.count(old, -1);
    super.set(key, m);
    this.count(m, 1);
    return this;
  }

  override delete(key: number): boolean {
    const old = super.get(key);
    if (!old) return false;
    this.count(old, -1);
    return super.delete(key);
  }

  override clear(): void {
    this.byTime?.clear();
    this.recent = [NaN, undefined, NaN, undefined];
    super.clear();
  }

  /**
   * A member's newest reading, updated in place; an older one than it has changes nothing.
   * Returns the member (to be handed back to `updateMember` next time: no lookup by slot).
   */
  update(
    key: number,
    time: number,
    value: number,
    breaching: boolean,
    context: ParticipantContext,
    instance: InstanceRef,
  ): Member {
    const m = super.get(key);
    if (!m) {
      const added = { time, breaching, value, context, instance };
      this.set(key, added);
      return added;
    }
    this.updateMember(m, time, value, breaching, context, instance);
    return m;
  }

  /** `update` of a member of this group as `update` returned it (still in the group). */
  updateMember(
    m: Member,
    time: number,
    value: number,
    breaching: boolean,
    context: ParticipantContext,
    instance: InstanceRef,
  ): void {
    if (m.time > time) return;
    if (m.time !== time || m.breaching !== breaching || m.instance.uuid !== instance.uuid) {
      this.count(m, -1);
      m.time = time;
      m.breaching = breaching;
      m.instance = instance;
      this.count(m, 1);
    } else m.instance = instance;
    m.value = value;
    m.context = context;
  }

  /**
   * The members whose reading is at most `gapMs` older than `t`, and not newer: how many, how
   * many breach, and in how many instances. Undefined when a reading newer than `t` is one a
   * `late` tells is unknown at `t` (see unknown-readings.ts).
   */
  countAt(t: number, gapMs: number, late: (time: number) => boolean): GroupCount | undefined {
    let total = 0;
    let breaching = 0;
    let instances: Set<string> | undefined;
    let only: Map<string, number> | undefined;
    for (const [time, tally] of this.tallies()) {
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
        for (const uuid of tally.breachingIn.keys()) instances.add(uuid);
      }
    }
    return { total, breaching, instances: instances?.size ?? only?.size ?? 0 };
  }

  private tallies(): Map<number, TimeTally> {
    if (!this.byTime) {
      this.byTime = new Map();
      for (const m of super.values()) this.count(m, 1);
    }
    return this.byTime;
  }

  /** The two tallies last counted in, by time: a cycle moves every member from one time to the next. */
  private recent: [number, TimeTally | undefined, number, TimeTally | undefined] = [
    NaN,
    undefined,
    NaN,
    undefined,
  ];

  private tallyAt(byTime: Map<number, TimeTally>, time: number): TimeTally {
    const r = this.recent;
    if (r[0] === time && r[1]) return r[1];
    if (r[2] === time && r[3]) return r[3];
    let tally = byTime.get(time);
    if (!tally) byTime.set(time, (tally = { total: 0, breaching: 0, breachingIn: new Map() }));
    r[2] = r[0];
    r[3] = r[1];
    r[0] = time;
    r[1] = tally;
    return tally;
  }

  private count(m: Member, delta: 1 | -1): void {
    // Set up when first read: Map's constructor calls `set` before the fields exist.
    const byTime = this.byTime;
    if (!byTime) return;
    const tally = this.tallyAt(byTime, m.time);
    tally.total += delta;
    if (m.breaching) {
      tally.breaching += delta;
      const n = (tally.breachingIn.get(m.instance.uuid) ?? 0) + delta;
      if (n > 0) tally.breachingIn.set(m.instance.uuid, n);
      else tally.breachingIn.delete(m.instance.uuid);
    }
    if (tally.total) return;
    byTime.delete(m.time);
    const r = this.recent;
    if (r[1] === tally) r[1] = undefined;
    if (r[3] === tally) r[3] = undefined;
  }
}

/**
 * One group rule's view of each join slot: the stamp (JoinSlots.see) it was worked out at,
 * the group the join is in (its instance key or group value; undefined when the rule's filters
 * do not match it or it has no group value), that group and the join's member there, so that
 * a sample's update finds its member without a lookup. Made again with the rule set
 * (engine.ts); a freed slot is forgotten (departures.ts) before it is reused.
 */
export class SlotMembers {
  stamp = new Int32Array(0);
  readonly key: (string | undefined)[] = [];
  readonly group: (MemberGroup | undefined)[] = [];
  readonly member: (Member | undefined)[] = [];

  grow(capacity: number): void {
    if (this.stamp.length >= capacity) return;
    const grown = new Int32Array(Math.max(capacity, this.stamp.length * 2));
    grown.set(this.stamp);
    this.stamp = grown;
  }

  /** Works out the slot's group again: its join's sample `s` (of instance `ikey`) differs from the one before. */
  refresh(rule: CompiledRule, slot: number, stamp: number, s: QosSample, ikey: string): void {
    this.stamp[slot] = stamp;
    this.key[slot] = rule.matches(s)
      ? (rule.scope === 'instance' ? ikey : groupOf(rule, s.context)) || undefined
      : undefined;
    this.group[slot] = undefined;
    this.member[slot] = undefined;
  }

  forget(slots: readonly number[]): void {
    for (const s of slots) {
      if (s < this.stamp.length) this.stamp[s] = 0;
      this.key[s] = undefined;
      this.group[s] = undefined;
      this.member[s] = undefined;
    }
  }
}
