import { instanceKey } from '../normalize/events.js';
import type { QosSample } from '../normalize/sample.js';
import type { AlertChange, AlertContext } from './alert.js';
import { apply } from './alert-changes.js';
import type { EngineContext } from './context.js';
import type { CompiledRule } from './rule-types.js';
import { breaches, groupOf, ruleValue } from './rule-value.js';
import type { Member } from './series.js';

/**
 * Meeting and shared-cause rules for the samples of one sample time: members' readings are
 * updated, then shared causes are observed first and meetings second, so that a meeting
 * alert firing now already knows whether a cause explains it.
 */
export function groupStep(
  ctx: EngineContext,
  samples: readonly QosSample[],
  t: number,
  changes: AlertChange[],
): void {
  const touched = new Map<CompiledRule, Set<string>>();
  for (const s of samples) {
    const ikey = instanceKey(s.instance);
    for (const rule of ctx.rules.group) {
      if (!rule.matches(s)) continue;
      const v = ruleValue(rule, s);
      if (v === undefined) continue;
      const breaching = breaches(rule, v);
      let key: string | undefined = ikey;
      if (rule.scope === 'instance')
        remember(members(ctx, rule.name, ikey), s.participant.key, s, v, breaching);
      else {
        key = groupOf(rule, s.context);
        if (!key) continue;
        remember(members(ctx, rule.name, key), `${ikey}/${s.participant.key}`, s, v, breaching);
      }
      let keys = touched.get(rule);
      if (!keys) touched.set(rule, (keys = new Set<string>()));
      keys.add(key);
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

/** An instance or group observation at sample time `t`, from each member's newest reading. */
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
    if (m.time > t || m.time < t - ctx.opts.gapToleranceMs) continue;
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
