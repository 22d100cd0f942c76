import type { QosSample } from '../normalize/sample.js';
import type { AlertChange, AlertContext } from './alert.js';
import { apply } from './alert-changes.js';
import type { StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import type { CompiledRule } from './rule-types.js';
import { GroupReadings, MemberGroup } from './member-group.js';
import type { GroupMembers, Member } from './series.js';
import type { GroupCount } from './time-tally.js';

/**
 * Meeting and shared-cause rules for the samples of one sample time: members' readings are
 * updated, then shared causes are observed first and meetings second, so that a meeting
 * alert firing now already knows whether a cause explains it.
 *
 * One pass per rule over its column: what a rule works out from a join (whether its filters
 * match, the group it is in, its member there) is kept by join slot and worked out again only
 * when the slot's stamp changed (JoinSlots.see), so a sample costs a comparison, a lookup in
 * typed arrays and its member's update.
 */
export function groupStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  columns: StepColumns,
  t: number,
  changes: AlertChange[],
): void {
  const { group: rules } = ctx.rules;
  const step = ++stepCount;
  /** Per rule, the groups it touched in the order first touched, and the first sample that touched one. */
  const touched: { rule: CompiledRule; first: number; groups: MemberGroup[] }[] = [];
  for (let r = 0; r < rules.length; r++) {
    const groups: MemberGroup[] = [];
    const first = rulePass(ctx, r, samples, columns, t, step, groups);
    if (groups.length) touched.push({ rule: rules[r]!, first, groups });
  }
  // Rules in the order a sample first touched them (rule order within a sample), as changes were.
  touched.sort((a, b) => a.first - b.first || rules.indexOf(a.rule) - rules.indexOf(b.rule));
  for (const scope of ['shared_cause', 'instance'] as const)
    for (const { rule, groups } of touched)
      if (rule.scope === scope)
        for (const group of groups) observeGroup(ctx, rule, group.key, group, t, changes);
}

/** Numbers each group step: a group touched in it says so (MemberGroup.step). */
let stepCount = 0;

/**
 * One group rule over the samples of a step: each member's reading updated; the groups
 * touched go into `groups`. `t`: the samples' time. Returns the first sample that touched a group.
 */
function rulePass(
  ctx: EngineContext,
  r: number,
  samples: readonly QosSample[],
  { instances, slots, stamps, partial, values }: StepColumns,
  t: number,
  step: number,
  groups: MemberGroup[],
): number {
  const rule = ctx.rules.group[r]!;
  const col = values[ctx.rules.groupColumn[r]!]!;
  const readings = ctx.slotMembers[r]!;
  readings.grow(ctx.state.slots.capacity);
  const { stamp, tookAt, key, target, time, value, breach, in: inGroup } = readings;
  const { above, threshold } = rule;
  let first = -1;
  for (let i = 0; i < samples.length; i++) {
    const v = col[i]!;
    if (v !== v) continue; // NaN: missing
    const slot = slots[i]!;
    if (stamp[slot] !== stamps[i]) readings.refresh(rule, slot, stamps[i]!, samples[i]!, instances[i]!);
    const k = key[slot];
    if (k === undefined) continue; // not matched, or no group value
    const breaching = above ? v > threshold : v < threshold;
    // Part of a pushed minute (more streams may follow): only its breaches count (dedup.ts).
    if (partial[i] && !breaching) continue;
    let group = target[slot];
    if (!group) group = target[slot] = members(ctx, readings, rule.name, k);
    if (group.step !== step) {
      group.step = step;
      groups.push(group);
      if (first < 0) first = i;
    }
    const was = inGroup[slot];
    if (was === group) {
      // The member's newest reading, updated in place; an older one than it changes nothing.
      const from = time[slot]!;
      if (from > t) continue;
      const b = breaching ? 1 : 0;
      if (from !== t || breach[slot] !== b) {
        // Only a tallied group counts the move; a quiet one joins the run before it (MemberGroup.quiet).
        if (group.tallied) {
          const was = breach[slot] === 1;
          if (!was && !breaching && group.quiet > 0 && group.quietFrom === from && group.quietTo === t)
            group.quiet++;
          else group.moved(from, was, t, breaching, instances[i]!);
        }
        time[slot] = t;
        breach[slot] = b;
      }
      value[slot] = v;
      // Its join's context and instance, written again only when its stamp changed.
      if (tookAt[slot] !== stamps[i]) {
        readings.took(slot);
        tookAt[slot] = stamps[i]!;
      }
    } else {
      was?.leave(slot); // its join moved to another group: its reading stays there until it ages out
      group.join(slot, t, v, breaching, instances[i]!);
      tookAt[slot] = stamps[i]!;
    }
  }
  return first;
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

/**
 * An instance or group observation at sample time `t`, from each member's newest reading. None
 * is made while a member's reading at `t` is unknown though the member is not gone (see
 * unknown-readings.ts: after a restart, or a backlog a cycle late): a view without it would
 * resolve an incident, or cancel its pending, that nothing recovered from. Missing data
 * neither fires nor resolves.
 */
function observeGroup(
  ctx: EngineContext,
  rule: CompiledRule,
  key: string,
  readings: MemberGroup,
  t: number,
  changes: AlertChange[],
): void {
  const id = (readings.seriesId ??= `${rule.name}|${key}`);
  // Older than the series' newest observation (a lagging meeting's backlog): it would be
  // ignored, and its counts, from a minute fewer members had reported, must not be shown.
  const seen = ctx.series.cached(id, readings);
  if (seen && seen.lastTime > t) return;
  const count = countGroup(ctx, rule, readings, t);
  if (!count) return;
  const { total, breaching, latest } = count;
  const ratio = total ? breaching / total : 0;
  const enough = total >= rule.minParticipants;
  const isBreach =
    enough &&
    (rule.breachingCount !== undefined
      ? breaching >= rule.breachingCount
      : ratio >= (rule.breachingRatio ?? 1));
  if (!isBreach && !seen) return;
  const context: AlertContext =
    rule.scope === 'instance'
      ? {
          kind: latest!.instance.kind,
          instanceId: latest!.instance.id,
          uuid: latest!.instance.uuid,
          topic: latest!.instance.topic,
          breaching,
          participants: total,
        }
      : { group: key, groupBy: rule.groupBy!, breaching, participants: total };
  const rec = ctx.series.record(id, rule, {
    ...(rule.scope === 'instance' ? { instance: key } : { group: key }),
    context,
    breaching,
    participants: total,
    ...(rule.scope === 'shared_cause' ? { meetings: count.instances } : {}),
  });
  const c = apply(ctx, rule, rec, t, ratio, !isBreach, isBreach);
  if (c) changes.push(c);
}

/**
 * The members of a group whose reading at `t` counts (at most gap_tolerance old), with the
 * newest of them for an instance; undefined when there is none, or one is unknown at `t`. A
 * shared cause's members are counted from their tally by sample time (member-group.ts), but
 * after a restart, while instances restored from the state file are awaited (each member's
 * instance is then looked at), and for an instance's few members. `instances` (how many
 * instances breach) is counted for a shared cause only: an instance's is not read.
 */
function countGroup(
  ctx: EngineContext,
  rule: CompiledRule,
  readings: MemberGroup,
  t: number,
): (GroupCount & { latest?: Member }) | undefined {
  const gap = ctx.opts.gapToleranceMs;
  if (rule.scope === 'shared_cause' && !ctx.unknown.awaiting) {
    const count = readings.countAt(t, gap, (time) => ctx.unknown.late(time));
    return count?.total ? count : undefined;
  }
  let total = 0;
  let breaching = 0;
  let latestSlot = -1;
  let latestTime = -Infinity;
  let unknown = false;
  const shared = rule.scope === 'shared_cause';
  const instances = new Set<string>();
  readings.each((time, breaches, ikey, slot) => {
    if (time > t || time < t - gap) {
      if (ctx.unknown.unknownAt(time, ikey, t, gap)) return !(unknown = true);
      return true;
    }
    total++;
    if (breaches) {
      breaching++;
      if (shared) instances.add(ikey); // an instance's members are all of it: only a shared cause counts them
    }
    if (time > latestTime) {
      latestTime = time;
      latestSlot = slot;
    }
    return true;
  });
  const latest = unknown || latestSlot < 0 ? undefined : readings.get(latestSlot);
  return latest && { total, breaching, instances: instances.size, latest };
}
