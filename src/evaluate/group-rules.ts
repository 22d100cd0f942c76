import type { QosSample } from '../normalize/sample.js';
import type { AlertChange, AlertContext } from './alert.js';
import { apply } from './alert-changes.js';
import type { StepColumns } from './columns.js';
import type { EngineContext } from './context.js';
import type { CompiledRule } from './rule-types.js';
import { breaches, groupOf } from './rule-value.js';
import type { Member } from './series.js';

/**
 * Meeting and shared-cause rules for the samples of one sample time: members' readings are
 * updated, then shared causes are observed first and meetings second, so that a meeting
 * alert firing now already knows whether a cause explains it.
 */
export function groupStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  { instances, values }: StepColumns,
  t: number,
  changes: AlertChange[],
): void {
  const { group: rules, groupColumn } = ctx.rules;
  const touched = new Map<CompiledRule, Set<string>>();
  /** Per rule: the group last touched and its members (a poll's samples come instance by instance). */
  const lastKey: (string | undefined)[] = [];
  const lastMembers: Map<string, Member>[] = [];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const ikey = instances[i]!;
    let memberKey: string | undefined; // instance/participant, for shared_cause rules
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const v = values[groupColumn[r]!]![i]!;
      if (v !== v || !rule.matches(s)) continue; // NaN: missing
      const breaching = breaches(rule, v);
      const key = rule.scope === 'instance' ? ikey : groupOf(rule, s.context);
      if (!key) continue;
      if (key !== lastKey[r]) {
        lastKey[r] = key;
        lastMembers[r] = members(ctx, rule.name, key);
        let keys = touched.get(rule);
        if (!keys) touched.set(rule, (keys = new Set<string>()));
        keys.add(key);
      }
      const who =
        rule.scope === 'instance' ? s.participant.key : (memberKey ??= `${ikey}/${s.participant.key}`);
      remember(lastMembers[r]!, who, s, v, breaching);
    }
  }
  for (const scope of ['shared_cause', 'instance'] as const)
    for (const [rule, keys] of touched)
      if (rule.scope === scope) for (const key of keys) observeGroup(ctx, rule, key, t, changes);
}

/** A member's newest reading, updated in place: a running daemon sees the same people every cycle. */
function remember(
  members: Map<string, Member>,
  key: string,
  s: QosSample,
  value: number,
  breaching: boolean,
): void {
  const m = members.get(key);
  if (m) {
    if (m.time > s.time) return; // an older sample arriving late changes nothing
    m.time = s.time;
    m.value = value;
    m.breaching = breaching;
    m.context = s.context;
    m.instance = s.instance;
  } else members.set(key, { time: s.time, breaching, value, context: s.context, instance: s.instance });
}

function members(ctx: EngineContext, rule: string, key: string): Map<string, Member> {
  let byKey = ctx.state.members.get(rule);
  if (!byKey) ctx.state.members.set(rule, (byKey = new Map<string, Map<string, Member>>()));
  let m = byKey.get(key);
  if (!m) byKey.set(key, (m = new Map<string, Member>()));
  return m;
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
  t: number,
  changes: AlertChange[],
): void {
  const readings = members(ctx, rule.name, key);
  let total = 0;
  let breaching = 0;
  let latest: Member | undefined;
  const instances = rule.scope === 'shared_cause' ? new Set<string>() : undefined;
  for (const m of readings.values()) {
    if (m.time > t || m.time < t - ctx.opts.gapToleranceMs) {
      if (ctx.unknown.unknownAt(m, t, ctx.opts.gapToleranceMs)) return;
      continue;
    }
    total++;
    if (m.breaching) {
      breaching++;
      instances?.add(m.instance.uuid);
    }
    if (!latest || m.time > latest.time) latest = m;
  }
  if (!latest) return;
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
          kind: latest.instance.kind,
          instanceId: latest.instance.id,
          uuid: latest.instance.uuid,
          topic: latest.instance.topic,
          breaching,
          participants: total,
        }
      : { group: key, groupBy: rule.groupBy!, breaching, participants: total };
  const rec = ctx.series.record(id, rule, {
    ...(rule.scope === 'instance' ? { instance: key } : { group: key }),
    context,
    breaching,
    participants: total,
    ...(instances ? { meetings: instances.size } : {}),
  });
  const c = apply(ctx, rule, rec, t, ratio, !isBreach, isBreach);
  if (c) changes.push(c);
}
