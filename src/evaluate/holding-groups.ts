import type { EngineContext } from './context.js';
import { MemberGroup } from './member-group.js';
import type { EngineState, GroupMembers } from './series.js';

/** A group rule's group: the rule, the group's key (instance key or group value) and its members. */
export interface HeldGroup {
  rule: string;
  key: string;
  members: GroupMembers;
}

/**
 * The groups restored from the state file that may still keep members as objects (a plain Map,
 * or a MemberGroup that took one over: `keepsObjects`), by rule and key; found by one pass over
 * the state's groups at the first departure, and only fewer after (no group takes objects but
 * from the state file). Such a group may hold any slot.
 */
const restored = new WeakMap<EngineState['members'], { rule: string; key: string }[]>();

const keepsObjects = (m: GroupMembers): boolean => !(m instanceof MemberGroup) || m.keepsObjects;

function restoredOf(members: EngineState['members']): { rule: string; key: string }[] {
  let list = restored.get(members);
  if (!list) {
    list = [];
    for (const [rule, byKey] of members)
      for (const [key, m] of byKey) if (keepsObjects(m)) list.push({ rule, key });
    restored.set(members, list);
  }
  const still = list.filter(({ rule, key }) => {
    const m = members.get(rule)?.get(key);
    return m !== undefined && keepsObjects(m);
  });
  if (still.length < list.length) restored.set(members, still);
  return still;
}

/**
 * The groups (with members) that may hold one of `slots`, read before they are freed, in the
 * order of the state's groups (rule, then group as made): a typed member is in its rule's group
 * of it (GroupReadings.in: every MemberGroup of the state is one of `slotMembers`', family-pass.ts),
 * so only the groups of the slots' readings are looked at, and those restored that may keep
 * members as objects. It went through every group of every rule: an instance's end looked at
 * every other live meeting's group under each meeting rule.
 */
export function holdingGroups(ctx: EngineContext, slots: readonly number[]): HeldGroup[] {
  const members = ctx.state.members;
  const byRule = new Map<string, Map<GroupMembers, string>>();
  const add = (rule: string, key: string, m: GroupMembers | undefined): void => {
    if (!m?.size || members.get(rule)?.get(key) !== m) return; // a group no longer in the state
    let groups = byRule.get(rule);
    if (!groups) byRule.set(rule, (groups = new Map<GroupMembers, string>()));
    groups.set(m, key);
  };
  ctx.slotMembers.forEach((r, i) => {
    const rule = ctx.rules.group[i]!.name;
    for (const s of slots) {
      const g = r.in[s];
      if (g) add(rule, g.key, g);
    }
  });
  for (const { rule, key } of restoredOf(members)) add(rule, key, members.get(rule)?.get(key));
  const out: HeldGroup[] = [];
  for (const [rule, byKey] of members) {
    const groups = byRule.get(rule);
    if (!groups) continue;
    const [only] = groups;
    if (groups.size === 1 && only) {
      out.push({ rule, key: only[1], members: only[0] });
      continue;
    }
    // Several of one rule (a shared cause's values): in the order of its groups.
    for (const [key, m] of byKey) if (groups.get(m) === key) out.push({ rule, key, members: m });
  }
  return out;
}
