import { instanceKey } from '../normalize/events.js';
import type { InstanceRef, ParticipantContext } from '../normalize/sample.js';
import type { JoinSlots, SlotWatcher } from './join-slots.js';
import {
  groupSeriesId,
  type GroupMembers,
  type Member,
  type SeriesCache,
  type SeriesRecord,
} from './series.js';
import { TimeTallies, type GroupCount } from './time-tally.js';
import type { SharedReadings } from './shared-readings.js';

/**
 * The members of one instance or shared-cause group (member's join slot -> newest reading).
 * Members a rule updates live in its rule's typed arrays (GroupReadings), listed here by
 * slot; members restored from the state file are kept as objects until their join's next
 * reading (a join whose reading moves to another group of the rule leaves this one). Read as a
 * map (the state file, the explainer and the tests read it as one), a member is made on the
 * fly. Shared causes tally their members by sample time (time-tally.ts).
 */
export class MemberGroup implements GroupMembers, SeriesCache {
  /** Slots whose reading is in the rule's typed arrays. */
  private readonly list: number[] = [];
  /**
   * Members kept as objects (restored from the state file): a map made
   * when first written (an empty Map is about 180 B, and most groups never have one).
   */
  private kept: Map<number, Member> | undefined;
  private tally: TimeTallies | undefined;
  /**
   * Moves of typed members that breached neither before nor after, `quiet` of them from sample
   * time `quietFrom` to `quietTo`, not yet counted in the tallies: rulePass counts them here in
   * bulk (a call per member boxed both its times), and they are counted before the tallies are
   * next read or changed (`tallies`).
   */
  private quiet = 0;
  private quietFrom = 0;
  private quietTo = 0;
  /**
   * Of the typed members (`list`): the newest reading time any has had since the group was made
   * (none is newer), how many are at it now, and how many breach. When all of them are at it an
   * instance is counted without a pass over its members (`allBreachingAt`).
   */
  private newest = -Infinity;
  private atNewest = 0;
  private breachingTyped = 0;
  /** The group step that last touched it (group-rules.ts). */
  step = 0;
  /** The id its alert series has (groupSeriesId), made when first asked (`seriesIdOf`). */
  private seriesId: string | undefined;
  /** Its alert series as last found (SeriesBook.cached). */
  series: SeriesRecord | undefined = undefined;
  seriesAt = 0;

  /** `key`: the instance key or group value. */
  constructor(
    readonly key: string,
    private readonly readings: GroupReadings,
  ) {}

  get size(): number {
    return this.list.length + (this.kept?.size ?? 0);
  }

  /** Whether it keeps members as objects (restored from the state file, not read since). */
  get keepsObjects(): boolean {
    return this.kept !== undefined && this.kept.size > 0;
  }

  has(slot: number): boolean {
    return this.readings.in[slot] === this || this.kept?.has(slot) === true;
  }

  get(slot: number): Member | undefined {
    return this.readings.in[slot] === this ? this.readings.member(slot) : this.kept?.get(slot);
  }

  /** A member kept as an object (a restored one). */
  set(slot: number, m: Member): this {
    if (this.readings.in[slot] === this) this.delete(slot);
    const old = this.kept?.get(slot);
    const instance = this.readings.slots.instanceIdOf(slot);
    if (old) this.tallies?.count(old.time, old.breaching, instance, -1);
    (this.kept ??= new Map()).set(slot, m);
    this.tallies?.count(m.time, m.breaching, instance, 1);
    return this;
  }

  delete(slot: number): boolean {
    const r = this.readings;
    if (r.in[slot] === this) {
      r.unshare(slot);
      this.tallies?.count(r.time[slot]!, r.breach[slot] === 1, r.slots.instanceIdOf(slot), -1);
      this.typed(r.time[slot]!, r.breach[slot] === 1, -1);
      const at = r.pos[slot]!;
      const last = this.list.pop()!;
      if (last !== slot) {
        this.list[at] = last;
        r.pos[last] = at;
      }
      r.in[slot] = undefined;
      r.stale.taken?.delete(slot);
      return true;
    }
    const old = this.kept?.get(slot);
    if (!old) return false;
    this.tallies?.count(old.time, old.breaching, r.slots.instanceIdOf(slot), -1);
    return this.kept!.delete(slot);
  }

  *entries(): MapIterator<[number, Member]> {
    for (const slot of [...this.list]) yield [slot, this.readings.member(slot)];
    if (this.kept) yield* this.kept.entries();
  }

  *keys(): MapIterator<number> {
    for (const [slot] of this.entries()) yield slot;
  }

  *values(): MapIterator<Member> {
    for (const [, m] of this.entries()) yield m;
  }

  [Symbol.iterator](): MapIterator<[number, Member]> {
    return this.entries();
  }

  forEach(f: (m: Member, slot: number, map: ReadonlyMap<number, Member>) => void): void {
    for (const [slot, m] of this.entries()) f(m, slot, this);
  }

  /**
   * A reading of the join in `slot` at `time`, the group's member from now on in the rule's
   * typed arrays (a member kept as an object becomes one; a newer one than `time` stays).
   */
  join(slot: number, time: number, value: number, breaching: boolean): void {
    const old = this.kept?.get(slot);
    if (old && old.time > time) return;
    if (old) this.delete(slot);
    const r = this.readings;
    r.unshare(slot);
    r.in[slot] = this;
    r.pos[slot] = this.list.length;
    this.list.push(slot);
    r.time[slot] = time;
    r.value[slot] = value;
    r.breach[slot] = breaching ? 1 : 0;
    r.took(slot);
    this.tallies?.count(time, breaching, r.slots.instanceIdOf(slot), 1);
    this.typed(time, breaching, 1);
  }

  /** The typed members' readings, where their family shares them, written back into the rule's arrays. */
  unshareMembers(): void {
    const r = this.readings;
    for (const slot of this.list) r.unshare(slot);
  }

  /** A typed member's reading at `time` counted in (`delta` 1) or out (-1) of `newest`'s counts. */
  private typed(time: number, breaching: boolean, delta: number): void {
    if (breaching) this.breachingTyped += delta;
    if (time === this.newest) this.atNewest += delta;
    else if (delta > 0 && time > this.newest) {
      this.newest = time; // only a reading counted in can be newer than every member
      this.atNewest = 1;
    }
  }

  /**
   * How many members breach, when every one of them is a typed member with its reading at `t`
   * (an instance's usual minute); else -1, and they are to be looked at one by one (`each`).
   */
  allBreachingAt(t: number): number {
    const all = this.newest === t && this.atNewest === this.list.length && !this.kept?.size;
    return all && this.list.length ? this.breachingTyped : -1;
  }

  /** The first typed member's slot (`each` looks at it first). */
  get firstSlot(): number {
    return this.list[0]!;
  }

  /** The tallies, with the quiet moves counted in. */
  private get tallies(): TimeTallies | undefined {
    this.countQuiet();
    return this.tally;
  }

  /** Counts the run of quiet moves in the tallies. */
  private countQuiet(): void {
    const t = this.tally;
    if (!t || !this.quiet) return;
    t.count(this.quietFrom, false, 0, -this.quiet);
    t.count(this.quietTo, false, 0, this.quiet);
    this.quiet = 0;
  }

  /**
   * The typed member in `slot` has its reading move from (`from`, `was`) to (`time`,
   * `breaching`): its tally, if the group is tallied, follows. One that breaches neither before
   * nor after joins the run of quiet moves before it, or starts one (see `quiet`).
   */
  moved(from: number, was: boolean, time: number, breaching: boolean, slot: number): void {
    this.typed(from, was, -1);
    this.typed(time, breaching, 1);
    // Apart, so that `moved` stays small enough for V8 to inline where the family pass calls it.
    if (this.tally) this.tallyMoved(from, was, time, breaching, slot);
  }

  /** `moved` in a tallied group's tallies. */
  private tallyMoved(from: number, was: boolean, time: number, breaching: boolean, slot: number): void {
    if (!was && !breaching) {
      if (this.quiet > 0 && this.quietFrom === from && this.quietTo === time) {
        this.quiet++;
        return;
      }
      this.countQuiet(); // the run before
      this.quiet = 1;
      this.quietFrom = from;
      this.quietTo = time;
      return;
    }
    // A move that breaches before or after leaves the quiet run uncounted, and the run goes on
    // (the usual minute: one breaching member in a few does not cost the run's two counts),
    // unless it leaves the run's newer time: a quiet member moved there is not counted there yet.
    const t = this.quiet && from === this.quietTo ? this.tallies : this.tally;
    if (!t) return;
    const instance = this.readings.slots.instanceIdOf(slot);
    t.count(from, was, instance, -1);
    t.count(time, breaching, instance, 1);
  }

  /**
   * `n` typed members' readings move from `from` to `time` (newer), none of them breaching before
   * or after: what `n` calls of `moved` do, at the cost of one (group-rules.ts counts the quiet
   * moves of a run of samples and hands them on here). After the first, `newest` is `time` or
   * newer, so the others only count in at it, and join the quiet run the first is in.
   */
  movedQuietly(from: number, time: number, n: number): void {
    this.moved(from, false, time, false, -1);
    if (n === 1) return;
    if (time === this.newest) this.atNewest += n - 1;
    if (this.tally) this.quiet += n - 1;
  }

  /** The id of its alert series under `rule` (the rule it is a group of). */
  seriesIdOf(rule: string): string {
    return (this.seriesId ??= groupSeriesId(rule, this.key));
  }

  /** `TimeTallies.countAt` of the members (tallied from the first call on). */
  countAt(t: number, gapMs: number, late: (time: number) => boolean): GroupCount | undefined {
    if (!this.tally) {
      const tallies = (this.tally = new TimeTallies());
      const r = this.readings;
      for (const slot of this.list)
        tallies.count(r.timeOf(slot), r.breachOf(slot), r.slots.instanceIdOf(slot), 1);
      for (const [slot, m] of this.kept ?? [])
        tallies.count(m.time, m.breaching, r.slots.instanceIdOf(slot), 1);
    }
    return this.tallies!.countAt(t, gapMs, late);
  }

  /**
   * How many members have a value `ok` is false of (a firing alert's members not back past the
   * recovery threshold): `present`, of those whose reading counts at `t` (at most `gapMs` older,
   * not newer); `silent`, of those whose newest reading is older (gone silent, not left: they
   * count as they last read until they leave or their instance ends).
   */
  countNot(t: number, gapMs: number, ok: (value: number) => boolean): { present: number; silent: number } {
    const r = this.readings;
    const n = { present: 0, silent: 0 };
    const see = (time: number, value: number): void => {
      if (time > t || ok(value)) return;
      if (time >= t - gapMs) n.present++;
      else n.silent++;
    };
    for (const slot of this.list) see(r.timeOf(slot), r.valueOf(slot));
    for (const m of this.kept?.values() ?? []) see(m.time, m.value);
    return n;
  }

  /**
   * Each member's time, whether it breaches and its instance key, without making members
   * (an instance's observation looks at each of them).
   */
  each(f: (time: number, breaching: boolean, ikey: string, slot: number) => boolean | undefined): void {
    const r = this.readings;
    for (const slot of this.list)
      if (f(r.timeOf(slot), r.breachOf(slot), r.slots.instanceKeyOf(slot), slot) === false) return;
    for (const [slot, m] of this.kept ?? [])
      if (f(m.time, m.breaching, instanceKey(m.instance), slot) === false) return;
  }
}

/** What a reading was taken with, its join having moved on since (GroupReadings.stale). */
interface TakenFrom {
  context: Readonly<ParticipantContext> | undefined;
  instance: InstanceRef | undefined;
}

/**
 * What a group rule's readings were taken with, for the joins that moved on since (JoinSlots
 * tells `moving`, before it replaces a join's context or instance); taken out when the join's
 * next reading is (or its slot is freed). Kept apart from GroupReadings, and holding nothing
 * else: JoinSlots holds it through a WeakRef, which keeps its target to the end of the job (a
 * bench's async run of engine after engine): it keeps only this.
 */
class StaleReadings implements SlotWatcher {
  taken: Map<number, TakenFrom> | undefined;

  moving(
    slot: number,
    context: Readonly<ParticipantContext> | undefined,
    instance: InstanceRef | undefined,
  ): void {
    if (!this.taken?.has(slot)) (this.taken ??= new Map()).set(slot, { context, instance });
  }
}

/**
 * One group rule's member readings by join slot, in typed arrays: the group each slot's reading
 * is in, its time, value and whether it breaches. With the rule's groups by group slot (the
 * group of a join is worked out once for the rule's family: group-keys.ts). Kept across a
 * reload for a rule that stays (engine.ts); a freed slot is forgotten (departures.ts) before it
 * is reused.
 */
export class GroupReadings {
  readonly in: (MemberGroup | undefined)[] = [];
  time = new Float64Array(0);
  value = new Float64Array(0);
  breach = new Uint8Array(0);
  /** A member's index in its group's list. */
  pos = new Int32Array(0);
  /**
   * The join's stamp (JoinSlots.see) when the slot's reading last took its context and instance
   * (`took`): while the stamp holds they are the same objects, and are not written again.
   */
  tookAt = new Int32Array(0);
  /** The rule's group of each group slot (GroupKeys.group), found in the state when first needed. */
  readonly groups: (MemberGroup | undefined)[] = [];
  /**
   * The context and instance of the sample each reading came from (the join's, as kept by its
   * slot, at that reading): a join that moved on (another data center, no reading for this rule
   * since) still counts in its group as it was, so what explains its group's alert does not
   * move with it. Only for readings whose join moved on since (JoinSlots tells `moving`); any
   * other reading's are its join's as kept now. Two arrays per rule of a pointer per slot each
   * had held them all (issue 16's storm: 12 group rules x 100,000 joins, 19 MB).
   */
  readonly stale = new StaleReadings();
  /** Its family's shared readings (shared-readings.ts), while it is in a family, and its rule's place there. */
  shared: SharedReadings | undefined = undefined;
  sharedAt = 0;

  /**
   * Members restored from the state file (kept as objects) by slot: their group's key. Made at
   * the rule's first reading of a join it holds no typed reading of, from the groups then
   * (`restoredGroupOf`); a slot goes at its join's next reading, or when freed.
   */
  private restored: Map<number, string> | undefined;

  constructor(readonly slots: JoinSlots) {
    slots.watch(this.stale);
  }

  /**
   * The key of the group that holds a restored reading of `slot` (the rule's groups:
   * `byKey`), taken out: the join's reading now goes to its group of now.
   */
  restoredGroupOf(slot: number, byKey: ReadonlyMap<string, GroupMembers> | undefined): string | undefined {
    const restored = this.restoredOf(byKey);
    const key = restored.get(slot);
    if (key !== undefined) restored.delete(slot);
    return key;
  }

  /** The time of a restored reading of `slot` (the rule's groups: `byKey`), left where it is. */
  restoredTimeOf(slot: number, byKey: ReadonlyMap<string, GroupMembers> | undefined): number | undefined {
    const key = this.restoredOf(byKey).get(slot);
    return key === undefined ? undefined : byKey?.get(key)?.get(slot)?.time;
  }

  /** The restored readings' groups by slot, found at the first look (see `restored`). */
  private restoredOf(byKey: ReadonlyMap<string, GroupMembers> | undefined): Map<number, string> {
    if (!this.restored) {
      this.restored = new Map();
      for (const [key, m] of byKey ?? [])
        for (const s of m.keys()) if (this.in[s] === undefined) this.restored.set(s, key);
    }
    return this.restored;
  }

  /** Whether no restored reading is left to take out (`restoredGroupOf` would find none). */
  get noneRestored(): boolean {
    return this.restored !== undefined && this.restored.size === 0;
  }

  /** The slot's reading came from its join's newest sample: what it is read as (see `stale`). */
  took(slot: number): void {
    this.stale.taken?.delete(slot);
  }

  grow(capacity: number): void {
    if (this.tookAt.length >= capacity) return;
    const size = Math.max(capacity, this.tookAt.length * 2);
    const grown = <A extends Float64Array | Uint8Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.time = grown(this.time, (n) => new Float64Array(n));
    this.value = grown(this.value, (n) => new Float64Array(n));
    this.breach = grown(this.breach, (n) => new Uint8Array(n));
    this.pos = grown(this.pos, (n) => new Int32Array(n));
    this.tookAt = grown(this.tookAt, (n) => new Int32Array(n));
  }

  /** The member of `slot` as an object (the context and instance of the sample its reading came from). */
  member(slot: number): Member {
    const then = this.stale.taken?.get(slot);
    return {
      time: this.timeOf(slot),
      breaching: this.breachOf(slot),
      value: this.valueOf(slot),
      context: then?.context ?? this.slots.keptContextOf(slot) ?? {},
      instance: (then?.instance ?? this.slots.instanceRefOf(slot))!,
    };
  }

  /** After a reload: the rule's groups are found again (its family's group slots are new). */
  reset(): void {
    this.groups.length = 0;
    this.shared?.unshareAll(); // its family is new too
    this.shared = undefined;
  }

  /**
   * The reading of `slot`'s time, value and whether it breaches: its family's (shared-readings.ts)
   * while shared there, else its own in `time`, `value` and `breach`.
   */
  timeOf(slot: number): number {
    const sh = this.shared;
    return sh !== undefined && sh.shared[slot] === 1 ? sh.time[slot]! : this.time[slot]!;
  }

  valueOf(slot: number): number {
    const sh = this.shared;
    return sh !== undefined && sh.shared[slot] === 1 ? sh.value[slot]! : this.value[slot]!;
  }

  breachOf(slot: number): boolean {
    const sh = this.shared;
    return sh !== undefined && sh.shared[slot] === 1
      ? sh.breaches(this.sharedAt, slot)
      : this.breach[slot] === 1;
  }

  /** The reading of `slot`, if its family shares it, written into `time`, `value` and `breach` (SharedReadings.unshare). */
  unshare(slot: number): void {
    this.shared?.unshare(slot);
  }

  /** Freed slots: their readings leave their groups. */
  forget(slots: readonly number[]): void {
    for (const s of slots) {
      this.unshare(s);
      this.in[s]?.delete(s);
      this.restored?.delete(s);
      if (s < this.tookAt.length) this.tookAt[s] = 0;
      this.stale.taken?.delete(s);
    }
  }
}
