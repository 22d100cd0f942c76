import type { QosSample } from '../normalize/sample.js';
import type { StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import { memberOf, noteDeparture } from './departed.js';
import type { GroupKeys } from './group-keys.js';
import { GroupReadings, MemberGroup } from './member-group.js';
import { QuietMoves } from './quiet-moves.js';
import type { CompiledRule } from './rule-types.js';
import type { GroupMembers } from './series.js';
import type { SharedReadings } from './shared-readings.js';
import { grown } from '../util/grown.js';

/*
 * The readings of a family of group rules (group-keys.ts) at one group step: each rule's members
 * updated from the samples with a value, one sample after another. A reading its family shares
 * (shared-readings.ts) moves for all of its rules at once: one write, and, healthy before and
 * after under every rule (the usual member of a quiet minute), a count in its group slot handed
 * on to each rule's group in bulk. Any other is read by each rule (RulePass), and is shared
 * afterwards when every rule read it alike. Rules do the same to their own members, in the same
 * order, as a pass per rule over the samples did (group-rules.ts before, issue 16).
 */

/** Kept and grown, not made every step: the samples a family's rules read, and their group slots. */
let atBuffer = new Int32Array(0);
let groupBuffer = new Int32Array(0);

/**
 * The rules of one family over the samples of a step: the samples with a value and a group
 * found once, then each rule's members updated from them; the groups each rule touched go
 * into `groups[r]`, the first sample that touched one into `first[r]`. `t`: the samples' time.
 */
export function familyPass(
  ctx: EngineContext,
  keys: GroupKeys,
  samples: readonly QosSample[],
  columns: StepColumns,
  t: number,
  step: number,
  groups: MemberGroup[][],
  first: number[],
): void {
  const { instances, slots, stamps, values } = columns;
  const col = values[ctx.rules.groupColumn[keys.rules[0]!]!]!;
  const capacity = ctx.state.slots.capacity;
  keys.grow(capacity);
  if (atBuffer.length < samples.length) {
    atBuffer = new Int32Array(Math.max(samples.length, atBuffer.length * 2));
    groupBuffer = new Int32Array(atBuffer.length);
  }
  const at = atBuffer;
  const groupOf = groupBuffer;
  const { stamp } = keys;
  let n = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = col[i]!;
    if (v !== v) continue; // NaN: missing
    const slot = slots[i]!;
    if (stamp[slot] !== stamps[i]) keys.refresh(slot, stamps[i]!, samples[i]!, instances[i]!);
    at[n] = i;
    groupOf[n] = keys.group[slot]!; // 0: not matched, -1: no group value (see RulePass.sample)
    n++;
  }
  const { passes, moves } = passesOf(ctx, keys);
  for (const p of passes) p.begin(t, step, groups[p.r]!, capacity);
  moves.begin(step);
  keys.shared.grow(capacity);
  samplesPass(passes, moves, keys.shared, n, col, columns, t);
  for (const p of passes) {
    p.quiet.flush();
    first[p.r] = p.first;
  }
}

/**
 * A family's rule passes and shared moves, made once and kept with its GroupKeys (a reload
 * makes new families): made anew each step, the optimized code of the passes was thrown away
 * with them (it held them weakly) and the next step ran unoptimized.
 */
const kept = new WeakMap<GroupKeys, { passes: RulePass[]; moves: SharedMoves }>();

function passesOf(ctx: EngineContext, keys: GroupKeys): { passes: RulePass[]; moves: SharedMoves } {
  let got = kept.get(keys);
  if (!got) {
    const passes = keys.rules.map((r) => new RulePass(ctx, r, keys));
    kept.set(keys, (got = { passes, moves: new SharedMoves(passes) }));
  }
  return got;
}

/**
 * The family's strictest threshold: a value not past it breaches none of the rules (the lowest
 * of them for `above`, the highest for below).
 */
function edgeOf(passes: readonly RulePass[]): number {
  const { above } = passes[0]!.rule;
  let edge = above ? Infinity : -Infinity;
  for (const p of passes) edge = above ? Math.min(edge, p.rule.threshold) : Math.max(edge, p.rule.threshold);
  return edge;
}

/**
 * The quiet moves of shared readings (from a time to the step's), counted per group slot and
 * handed on to each rule's group (its quiet moves: quiet-moves.ts) before any sample is read rule
 * by rule, and at the end; a group slot's alone before a shared reading in it moves breaching
 * (`handOn`). Groups are apart: a group's moves counted here wait for no other's.
 */
class SharedMoves {
  private count = new Int32Array(64);
  private from = new Float64Array(64);
  /** Per group slot: the group step every rule last entered it at (`enter`). */
  private entered = new Int32Array(64);
  /** The group slots with moves counted, in the order first counted. */
  private readonly pending: number[] = [];

  private step = 0;

  constructor(private readonly passes: readonly RulePass[]) {}

  /** Group step `step` begins. */
  begin(step: number): void {
    this.step = step;
  }

  /**
   * Sample `i` of group slot `g` comes: each rule's group of it found and touched (RulePass.enter),
   * unless every rule did so already in this step.
   */
  enter(g: number, i: number): void {
    if (g >= this.count.length) this.grow(g);
    if (this.entered[g] === this.step) return;
    this.entered[g] = this.step;
    for (const p of this.passes) p.enter(g, i);
  }

  /** A shared reading in group slot `g` moves quietly from `from` (after `enter`). */
  add(g: number, from: number): void {
    const count = this.count;
    if (count[g]! > 0 && this.from[g] !== from) this.handOn(g);
    if (count[g]!++ === 0) {
      this.from[g] = from;
      this.pending.push(g);
    }
  }

  /** Hands every count on. */
  flush(): void {
    const pending = this.pending;
    if (!pending.length) return;
    for (let k = 0; k < pending.length; k++) this.handOn(pending[k]!);
    pending.length = 0;
  }

  /**
   * Hands group slot `g`'s count on (before a move in it that is not quiet): the others wait, as
   * what is done to one group's readings changes nothing of another's. It stays in `pending`
   * (handed on again when counted again: nothing left to hand on then).
   */
  handOn(g: number): void {
    const n = this.count[g]!;
    if (n === 0) return;
    this.count[g] = 0;
    const from = this.from[g]!;
    for (const p of this.passes) p.quiet.add(p.readings.groups[g]!, from, n);
  }

  private grow(g: number): void {
    const size = Math.max(g + 1, this.count.length * 2);
    this.count = grown(this.count, size);
    this.from = grown(this.from, size);
    this.entered = grown(this.entered, size);
  }
}

/**
 * The family's samples with a value (`atBuffer`, their group slots `groupBuffer`), in order. A
 * sample of a join whose reading is shared, in a group, whole (not part of a pushed minute),
 * taken with the context its reading took and newer than it: its shared reading moves to it
 * (a quiet move counted in its group slot when it breaches no rule before or now, else each
 * rule's move: RulePass.moveShared). Being shared, its readings are in the rules' groups of the
 * same group slot (a join's group slot changes only with its stamp: group-keys.ts; the readings
 * in a group slot's groups are unshared before its groups are found again: GroupKeys.unset). Any
 * other: each rule reads it (RulePass.sample).
 */
function samplesPass(
  passes: readonly RulePass[],
  moves: SharedMoves,
  shared: SharedReadings,
  n: number,
  col: Float64Array,
  columns: StepColumns,
  t: number,
): void {
  const { slots, stamps, partial } = columns;
  const { shared: isShared, time, value, took } = shared;
  const at = atBuffer;
  const groupOf = groupBuffer;
  const above = passes[0]!.rule.above;
  const edge = edgeOf(passes);
  for (let j = 0; j < n; j++) {
    const i = at[j]!;
    const v = col[i]!;
    const slot = slots[i]!;
    const g = groupOf[j]!;
    if (isShared[slot] === 1 && g > 0 && partial[i] === 0 && took[slot] === stamps[i]) {
      const from = time[slot]!;
      if (from < t) {
        moves.enter(g, i);
        const was = value[slot]!;
        // Breaching no rule, before or now: a quiet move under every rule.
        if (above ? !(v > edge) && !(was > edge) : !(v < edge) && !(was < edge)) moves.add(g, from);
        else {
          moves.handOn(g); // moveShared changes group slot g's groups alone
          for (const p of passes) p.moveShared(g, from, was, v, slot);
        }
        time[slot] = t;
        value[slot] = v;
        continue;
      }
    }
    moves.flush();
    shared.unshare(slot);
    for (const p of passes) p.sample(i, g, v, columns);
    if (g > 0 && partial[i] === 0) shareIf(passes, shared, slot, t, v, stamps[i]!);
  }
  moves.flush();
}

/**
 * Shares the reading of `slot` when every rule read it alike: in its group of the sample's group
 * slot, at `t` with `v` (breaching as `v` does), taken with the join's context at `stamp`.
 */
function shareIf(
  passes: readonly RulePass[],
  shared: SharedReadings,
  slot: number,
  t: number,
  v: number,
  stamp: number,
): void {
  for (const { readings: r, group, rule } of passes)
    if (
      r.in[slot] !== group ||
      r.breach[slot] !== ((rule.above ? v > rule.threshold : v < rule.threshold) ? 1 : 0) ||
      r.time[slot] !== t ||
      r.value[slot] !== v ||
      r.tookAt[slot] !== stamp
    )
      return;
  shared.share(slot, t, v, stamp);
}

/** One group rule's pass over the samples of its family at a step: where it is in them. */
class RulePass {
  readonly rule: CompiledRule;
  readonly readings: GroupReadings;
  readonly quiet = new QuietMoves();
  /** The group slot of the sample before (an instance's samples come one after another), and the rule's group of it. */
  lastG = 0;
  group: MemberGroup | undefined = undefined;
  /** The first sample that touched a group (-1: none yet). */
  first = -1;

  /** The step's time and number, and the groups the rule touched in it (in the order first touched). */
  private t = 0;
  private step = 0;
  private groups: MemberGroup[] = [];

  constructor(
    private readonly ctx: EngineContext,
    readonly r: number,
    private readonly keys: GroupKeys,
  ) {
    this.rule = ctx.rules.group[r]!;
    this.readings = ctx.slotMembers[r]!;
  }

  /** Group step `step` at time `t` begins; `capacity`: the join slots' (JoinSlots.capacity). */
  begin(t: number, step: number, groups: MemberGroup[], capacity: number): void {
    this.t = t;
    this.step = step;
    this.groups = groups;
    this.lastG = 0;
    this.group = undefined;
    this.first = -1;
    this.quiet.start(t);
    this.readings.grow(capacity);
  }

  /** Sample `i` is of group slot `g` (> 0): the rule's group of it, found and touched when not the one before. */
  enter(g: number, i: number): void {
    if (g === this.lastG && this.group) return;
    const { readings, rule } = this;
    const group = readings.groups[g] ?? groupAt(this.ctx, readings, rule.name, this.keys, g);
    this.group = group;
    this.lastG = g;
    if (touch(group, this.step, this.groups) && this.first < 0) this.first = i;
  }

  /**
   * The shared reading of `slot`, in group slot `g` (entered), moves from (`from`, value `was`) to
   * the step's time with value `v`: as `stay` moves it, its values in the family's arrays (written after).
   */
  moveShared(g: number, from: number, was: number, v: number, slot: number): void {
    const { above, threshold } = this.rule;
    const before = above ? was > threshold : was < threshold;
    const now = above ? v > threshold : v < threshold;
    const group = this.readings.groups[g]!;
    if (!before && !now) this.quiet.add(group, from);
    else {
      this.quiet.flush();
      group.moved(from, before, this.t, now, slot);
    }
  }

  /**
   * The rule reads sample `i` (value `v`, group slot `g`: 0 for none): its member's reading
   * updated, and the groups touched listed. A reading in no group of the rule (its filters no
   * longer match, or its group value went missing) leaves the member's group, as a move to
   * another group does.
   */
  sample(i: number, g: number, v: number, { slots, partial, stamps }: StepColumns): void {
    const { rule, readings, t, quiet } = this;
    const slot = slots[i]!;
    const breaching = rule.above ? v > rule.threshold : v < rule.threshold;
    // Part of a pushed minute (more streams may follow): only its breaches count (dedup.ts).
    if (partial[i] && !breaching) return;
    if (g <= 0) {
      quiet.flush();
      if (inNoGroup(this.ctx, readings, rule.name, slot, g < 0, t, this.step, this.groups) && this.first < 0)
        this.first = i;
      return;
    }
    this.enter(g, i);
    const group = this.group!;
    const was = readings.in[slot];
    if (was === group) return stay(readings, quiet, group, slot, t, v, breaching, stamps[i]!);
    quiet.flush();
    leaveOld(this.ctx, readings, rule.name, slot, was, group.key, this.step, this.groups);
    group.join(slot, t, v, breaching);
    readings.tookAt[slot] = stamps[i]!;
  }
}

/**
 * The reading `v` at `t` of a member of `group` (the join in `slot`) that stays in it: updated
 * in place, and counted in the group (a quiet move with the run before it: quiet-moves.ts); an
 * older one than its newest reading changes nothing.
 */
function stay(
  readings: GroupReadings,
  quiet: QuietMoves,
  group: MemberGroup,
  slot: number,
  t: number,
  v: number,
  breaching: boolean,
  stamp: number,
): void {
  const { time, breach, tookAt } = readings;
  const from = time[slot]!;
  if (from > t) return;
  const b = breaching ? 1 : 0;
  const was = breach[slot]!;
  if (from !== t || was !== b) {
    if (was === 0 && b === 0) quiet.add(group, from);
    else {
      quiet.flush();
      group.moved(from, was === 1, t, breaching, slot);
    }
    time[slot] = t;
    breach[slot] = b;
  }
  readings.value[slot] = v;
  // Its join's context and instance, written again only when its stamp changed.
  if (tookAt[slot] !== stamp) {
    readings.took(slot);
    tookAt[slot] = stamp;
  }
}

/**
 * A reading at `t` in no group of the rule: its filters do not match the join, or (`missing`)
 * its sample has no group value. The member leaves its group (leaveOld), but a missing group
 * value is missing data while its reading there is at most gap_tolerance old: a data center
 * left out for a minute is no move (nor an incident's end). Returns whether it left one.
 */
function inNoGroup(
  ctx: EngineContext,
  readings: GroupReadings,
  rule: string,
  slot: number,
  missing: boolean,
  t: number,
  step: number,
  groups: MemberGroup[],
): boolean {
  if (missing && stillHeld(ctx, readings, rule, slot, t)) return false;
  return leaveOld(ctx, readings, rule, slot, readings.in[slot], undefined, step, groups);
}

/** Whether a member's reading in its group (or a restored one) is at most gap_tolerance older than `t`. */
function stillHeld(
  ctx: EngineContext,
  readings: GroupReadings,
  rule: string,
  slot: number,
  t: number,
): boolean {
  const from = readings.in[slot]
    ? readings.time[slot]!
    : readings.noneRestored
      ? undefined
      : readings.restoredTimeOf(slot, ctx.state.members.get(rule));
  return from !== undefined && t - from <= ctx.opts.gapToleranceMs;
}

/**
 * A join whose reading comes to the group of `key` of a rule, or to none (undefined): when its
 * reading was in another group (`was`, or one restored from the state file) because it moved (a
 * new data center, network, or out of the rule's filters...), it leaves that group, which is
 * judged again at this step without it. Returns whether it left one.
 */
function leaveOld(
  ctx: EngineContext,
  readings: GroupReadings,
  rule: string,
  slot: number,
  was: MemberGroup | undefined,
  key: string | undefined,
  step: number,
  groups: MemberGroup[],
): boolean {
  const restored =
    was || readings.noneRestored ? undefined : readings.restoredGroupOf(slot, ctx.state.members.get(rule));
  const old =
    was ?? (restored === undefined || restored === key ? undefined : members(ctx, readings, rule, restored));
  if (!old) return false;
  const { slots } = ctx.state;
  noteDeparture(
    ctx,
    rule,
    old.key,
    old,
    slot,
    'moved',
    memberOf(slots.instanceKeyOf(slot), slots.participantKeyOf(slot)),
  );
  old.delete(slot);
  touch(old, step, groups);
  return true;
}

/** A group touched at group step `step`: listed in `groups` when first touched in it (returns whether it was). */
function touch(group: MemberGroup, step: number, groups: MemberGroup[]): boolean {
  if (group.step === step) return false;
  group.step = step;
  groups.push(group);
  return true;
}

/** A rule's group of group slot `g` (GroupKeys), found in the state (`members`) and kept by the slot. */
function groupAt(
  ctx: EngineContext,
  readings: GroupReadings,
  rule: string,
  keys: GroupKeys,
  g: number,
): MemberGroup {
  const byGroup = readings.groups;
  while (byGroup.length <= g) byGroup.push(undefined); // not written past the end: no dictionary
  return (byGroup[g] = members(ctx, readings, rule, keys.keyOf(g)));
}

/** The group of `key` of a rule, made when missing (a restored one's members are taken over). */
function members(ctx: EngineContext, readings: GroupReadings, rule: string, key: string): MemberGroup {
  let byKey = ctx.state.members.get(rule);
  if (!byKey) ctx.state.members.set(rule, (byKey = new Map<string, GroupMembers>()));
  const m = byKey.get(key);
  if (m instanceof MemberGroup) return m;
  const group = new MemberGroup(key, readings);
  if (m) for (const [k, v] of m) group.set(k, v); // restored from the state file as a plain Map
  byKey.set(key, group);
  return group;
}
