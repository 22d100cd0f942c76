import type { QosSample } from '../normalize/sample.js';
import type { AlertChange, AlertContext } from './alert.js';
import { apply, resolveRecord } from './alert-changes.js';
import type { StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import { stillBreaching } from './departed.js';
import type { CompiledRule } from './rule-types.js';
import { recovers } from './rule-value.js';
import type { MemberGroup } from './member-group.js';
import type { Member } from './series.js';
import type { GroupCount } from './time-tally.js';
import { familyPass } from './family-pass.js';

/**
 * Meeting and shared-cause rules for the samples of one sample time: members' readings are
 * updated, then shared causes are observed first and meetings second, so that a meeting
 * alert firing now already knows whether a cause explains it.
 *
 * One pass per family of rules (group-keys.ts: the rules of a column with the same scope,
 * group_by and filters) over its column (family-pass.ts): the group of a join (whether the
 * filters match it, its group key) is kept by join slot for the family and worked out again only
 * when the slot's stamp changed (JoinSlots.see), so a sample costs a comparison and a lookup in
 * typed arrays, and then its reading's move, once for all of the family's rules while they read
 * it alike (shared-readings.ts), else each rule's update of its member.
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
  const groups: MemberGroup[][] = rules.map(() => []);
  const first: number[] = rules.map(() => -1);
  for (const family of ctx.groupKeys) familyPass(ctx, family, samples, columns, t, step, groups, first);
  const touched: { rule: CompiledRule; index: number; first: number; groups: MemberGroup[] }[] = [];
  for (let r = 0; r < rules.length; r++)
    if (groups[r]!.length) touched.push({ rule: rules[r]!, index: r, first: first[r]!, groups: groups[r]! });
  // Rules in the order a sample first touched them (rule order within a sample), as changes were.
  touched.sort((a, b) => a.first - b.first || a.index - b.index);
  for (const scope of ['shared_cause', 'instance'] as const)
    for (const { rule, groups } of touched)
      if (rule.scope === scope)
        for (const group of groups)
          if (group.size) observeGroup(ctx, rule, group.key, group, t, changes);
          else resolveEmptied(ctx, rule, group, t, changes);
}

/**
 * A group whose last member moved out of it, still in its meeting (to another group of the rule,
 * or to none: its group value went away, or the rule's filters stopped matching it): its alert
 * resolves then, as nothing would judge it again, with reason `moved` (nobody left, nor
 * recovered; a group whose last member leaves the meeting resolves `left`: departures.ts).
 */
function resolveEmptied(
  ctx: EngineContext,
  rule: CompiledRule,
  group: MemberGroup,
  t: number,
  changes: AlertChange[],
): void {
  const rec = ctx.series.get(group.seriesIdOf(rule.name));
  if (rec) resolveRecord(ctx, rec, t, 'moved', changes);
}

/** Numbers each group step: a group touched in it says so (MemberGroup.step). */
let stepCount = 0;

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
  const id = readings.seriesIdOf(rule.name);
  // Older than the series' newest observation (a lagging meeting's backlog): it would be
  // ignored, and its counts, from a minute fewer members had reported, must not be shown.
  const seen = ctx.series.cached(id, readings);
  if (seen && seen.lastTime > t) return;
  const count = countGroup(ctx, rule, readings, t);
  if (!count) return;
  const { latest } = count;
  const enough = count.total >= rule.minParticipants;
  const isBreach = enough && meets(rule, count.breaching, count.total);
  if (!isBreach && !seen) return;
  const recovered = !isBreach && (seen?.state !== 'firing' || back(ctx, rule, readings, t, count.total));
  // Firing, held by members gone silent (not back): its text counts them as they last read, as
  // the resolve does ("for 0 of 1 participant" was not true of it).
  const { total, breaching, instances } = !isBreach && !recovered ? asLastRead(readings, t) : count;
  const ratio = total ? breaching / total : 0;
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
    ...(rule.scope === 'shared_cause' ? { meetings: instances } : {}),
  });
  const c = apply(ctx, rule, rec, t, ratio, recovered, isBreach);
  stillBreaching(ctx, rec);
  if (c) changes.push(c);
}

/**
 * A group's members whose newest reading is not newer than `t`, each as it last read: those
 * gone silent (older than gap_tolerance, not left) too. Read for a firing alert that its silent
 * members hold (not breaching, not back).
 */
const asLastRead = (readings: MemberGroup, t: number): GroupCount =>
  tally(readings, true, (time) => (time > t ? 'skip' : 'count'))!;

/** A tally's count, with the slot of the newest member counted (-1 for none) and, once looked up, that member. */
interface Tally extends GroupCount {
  latestSlot: number;
  latest: Member | undefined;
}

/**
 * One pass over a group's members: how many `which` counts, how many of them breach and (with
 * `byInstance`) in how many instances, and the newest of them (its slot, -1 for none; `latest`
 * left to the caller); undefined as soon as `which` says a member's reading is unknown.
 */
function tally(
  readings: MemberGroup,
  byInstance: boolean,
  which: (time: number, ikey: string) => 'count' | 'skip' | 'unknown',
): Tally | undefined {
  let total = 0;
  let breaching = 0;
  let latestSlot = -1;
  let latestTime = -Infinity;
  let unknown = false;
  const instances = new Set<string>();
  readings.each((time, breaches, ikey, slot) => {
    const what = which(time, ikey);
    if (what !== 'count') return !(unknown = what === 'unknown');
    total++;
    if (breaches) {
      breaching++;
      if (byInstance) instances.add(ikey);
    }
    if (time > latestTime) {
      latestTime = time;
      latestSlot = slot;
    }
    return true;
  });
  return unknown ? undefined : { total, breaching, instances: instances.size, latestSlot, latest: undefined };
}

/** Whether `n` of a group's `total` members make its `breaching` (count or ratio). */
const meets = (rule: CompiledRule, n: number, total: number): boolean =>
  rule.breachingCount !== undefined ? n >= rule.breachingCount : n / total >= (rule.breachingRatio ?? 1);

/**
 * Whether a firing group alert that no longer breaches is back (docs/rules.md, "Scopes"): fewer
 * than its `breaching` of its members are still short of the recovery threshold (hysteresis:
 * between the two thresholds a member is not back). A member gone silent past gap_tolerance
 * (not left) counts as it last read: members who only go silent are no recovery, however many
 * healthy ones report. With fewer such members than `min_participants` or than
 * `breaching.count` (others left), every one of them must be back. Read only for a firing alert
 * that no longer breaches (a pass over its members).
 */
function back(
  ctx: EngineContext,
  rule: CompiledRule,
  readings: MemberGroup,
  t: number,
  total: number,
): boolean {
  const { present, silent } = readings.countNot(t, ctx.opts.gapToleranceMs, (v) => recovers(rule, v));
  const still = present + silent;
  const all = total + silent;
  const tooFew = all < Math.max(rule.minParticipants, rule.breachingCount ?? 0);
  return tooFew ? still === 0 : !meets(rule, still, all);
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
  if (rule.scope === 'instance') {
    // Every member read at `t` (an instance's usual minute): counted as the pass below would.
    const n = readings.allBreachingAt(t);
    if (n >= 0)
      return { total: readings.size, breaching: n, instances: 0, latest: readings.get(readings.firstSlot)! };
  }
  // An instance's members are all of it: only a shared cause counts its instances.
  const count = tally(readings, rule.scope === 'shared_cause', (time, ikey) => {
    if (time <= t && time >= t - gap) return 'count';
    return ctx.unknown.unknownAt(time, ikey, t, gap) ? 'unknown' : 'skip';
  });
  if (!count || count.latestSlot < 0) return undefined;
  count.latest = readings.get(count.latestSlot); // the count handed on as it is, not copied
  return count.latest && count;
}
