import { isPartial } from '../normalize/dedup.js';
import type { ParticipantContext, QosSample } from '../normalize/sample.js';
import type { AlertChange, AlertContext } from './alert.js';
import { apply } from './alert-changes.js';
import type { StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import type { CompiledRule } from './rule-types.js';
import { breaches, groupOf } from './rule-value.js';
import { MemberGroup, type GroupCount } from './member-group.js';
import type { Member } from './series.js';

/**
 * Meeting and shared-cause rules for the samples of one sample time: members' readings are
 * updated, then shared causes are observed first and meetings second, so that a meeting
 * alert firing now already knows whether a cause explains it.
 */
export function groupStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  { instances, slots, values }: StepColumns,
  t: number,
  changes: AlertChange[],
): void {
  const { group: rules, groupColumn } = ctx.rules;
  const caches = ctx.slotMembers;
  /** The groups each rule touched, in the order first touched (observations keep that order). */
  const touched = new Map<CompiledRule, Map<string, MemberGroup>>();
  /** Per rule: its groups touched so far, and the last (a poll's samples come instance by instance). */
  const groupsOf: (Map<string, MemberGroup> | undefined)[] = [];
  const lastKey: (string | undefined)[] = [];
  const lastMembers: MemberGroup[] = [];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const ikey = instances[i]!;
    const slot = slots[i]!; // the member's key in every group
    // Part of a pushed minute (more streams may follow): only its breaches count (dedup.ts).
    const partial = isPartial(s);
    let context: ParticipantContext | undefined; // as kept by the join's slot, taken when first needed
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const v = values[groupColumn[r]!]![i]!;
      if (v !== v || !rule.matches(s)) continue; // NaN: missing
      const breaching = breaches(rule, v);
      if (partial && !breaching) continue;
      const key = rule.scope === 'instance' ? ikey : groupOf(rule, s.context);
      if (!key) continue;
      if (key !== lastKey[r]) {
        lastKey[r] = key;
        let groups = groupsOf[r];
        if (!groups) touched.set(rule, (groups = groupsOf[r] = new Map<string, MemberGroup>()));
        let group = groups.get(key);
        if (!group) groups.set(key, (group = members(ctx, rule.name, key)));
        lastMembers[r] = group;
      }
      context ??= ctx.state.slots.context(slot, s.context);
      const group = lastMembers[r]!;
      const cache = caches[r]!;
      const m = cache.group[slot] === group ? cache.member[slot] : undefined;
      if (m) group.updateMember(m, s.time, v, breaching, context, s.instance);
      else {
        cache.group[slot] = group;
        cache.member[slot] = group.update(slot, s.time, v, breaching, context, s.instance);
      }
    }
  }
  for (const scope of ['shared_cause', 'instance'] as const)
    for (const [rule, groups] of touched)
      if (rule.scope === scope)
        for (const [key, group] of groups) observeGroup(ctx, rule, key, group, t, changes);
}

function members(ctx: EngineContext, rule: string, key: string): MemberGroup {
  let byKey = ctx.state.members.get(rule);
  if (!byKey) ctx.state.members.set(rule, (byKey = new Map<string, Map<number, Member>>()));
  const m = byKey.get(key);
  if (m instanceof MemberGroup) return m;
  const group = new MemberGroup();
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
  const id = `${rule.name}|${key}`;
  if (!isBreach && !ctx.series.has(id)) return;
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
 * instance is then looked at), and for an instance's few members.
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
  let latest: Member | undefined;
  const instances = new Set<string>();
  for (const m of readings.values()) {
    if (m.time > t || m.time < t - gap) {
      if (ctx.unknown.unknownAt(m, t, gap)) return undefined;
      continue;
    }
    total++;
    if (m.breaching) {
      breaching++;
      instances.add(m.instance.uuid);
    }
    if (!latest || m.time > latest.time) latest = m;
  }
  return latest && { total, breaching, instances: instances.size, latest };
}
