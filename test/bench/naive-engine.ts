import type { CompiledRule } from '../../src/evaluate/rule-types.js';
import type { QosSample } from '../../src/normalize/sample.js';

interface Pending {
  since: number;
  firing: boolean;
}

/**
 * The reference of the evaluation figure: the same work done the straightforward way. For each
 * sample and rule, the rule's value over its streams, compared with the threshold; a Map of
 * pending/firing state per (rule, participant) with `for` and recovery; group rules (instance,
 * shared cause) as a Map of breaching members per (rule, group), checked against the count,
 * the ratio and the minimum of participants.
 */
export class NaiveEngine {
  /** Per rule: participant -> pending or firing. */
  private readonly series = new Map<CompiledRule, Map<string, Pending>>();
  /** Per rule: group -> participant -> breaching. */
  private readonly groups = new Map<CompiledRule, Map<string, Map<string, boolean>>>();
  /** Per rule: group -> pending or firing. */
  private readonly groupSeries = new Map<CompiledRule, Map<string, Pending>>();
  changes = 0;

  constructor(private readonly rules: readonly CompiledRule[]) {
    for (const r of rules) {
      this.series.set(r, new Map());
      this.groups.set(r, new Map());
      this.groupSeries.set(r, new Map());
    }
  }

  private value(rule: CompiledRule, s: QosSample): number | undefined {
    if (!rule.metric.perStream) return rule.metric.read(s);
    let worst: number | undefined;
    let sum = 0;
    let n = 0;
    for (const stream of rule.streams) {
      if (!(stream in s.streams)) continue;
      const v = rule.metric.read(s, stream);
      if (v === undefined) continue;
      sum += v;
      n++;
      if (worst === undefined || (rule.above ? v > worst : v < worst)) worst = v;
    }
    return worst === undefined ? undefined : rule.aggregate === 'avg' ? sum / n : worst;
  }

  private step(
    series: Map<string, Pending>,
    key: string,
    rule: CompiledRule,
    time: number,
    breaching: boolean,
    recovered: boolean,
  ): void {
    const st = series.get(key);
    if (breaching) {
      if (!st) series.set(key, { since: time, firing: rule.forMs === 0 });
      else if (!st.firing && time - st.since >= rule.forMs) {
        st.firing = true;
        this.changes++;
      }
    } else if (st && recovered) {
      if (st.firing) this.changes++;
      series.delete(key);
    }
  }

  handle(samples: readonly QosSample[]): void {
    const touched = new Map<CompiledRule, Set<string>>();
    for (const s of samples) {
      const ikey = `${s.instance.kind}:${s.instance.uuid}`;
      const who = `${ikey}|${s.participant.key}`;
      for (const rule of this.rules) {
        if (!rule.sources.has(s.instance.kind) || !rule.matches(s)) continue;
        const v = this.value(rule, s);
        if (v === undefined) continue;
        const breaching = rule.above ? v > rule.threshold : v < rule.threshold;
        const recovered = rule.above ? v <= rule.recoveryThreshold : v >= rule.recoveryThreshold;
        if (rule.scope === 'participant') {
          this.step(this.series.get(rule)!, who, rule, s.time, breaching, recovered);
          continue;
        }
        const group =
          rule.scope === 'instance'
            ? ikey
            : String(rule.groupBy ? (s.context as Record<string, unknown>)[rule.groupBy] : '');
        const groups = this.groups.get(rule)!;
        let members = groups.get(group);
        if (!members) groups.set(group, (members = new Map<string, boolean>()));
        members.set(who, breaching);
        let t = touched.get(rule);
        if (!t) touched.set(rule, (t = new Set()));
        t.add(group);
      }
    }
    for (const [rule, groups] of touched)
      for (const group of groups) {
        const members = this.groups.get(rule)!.get(group)!;
        let bad = 0;
        for (const b of members.values()) if (b) bad++;
        const enough =
          members.size >= rule.minParticipants &&
          bad >= (rule.breachingCount ?? 1) &&
          bad / members.size >= (rule.breachingRatio ?? 0);
        this.step(this.groupSeries.get(rule)!, group, rule, samples[0]?.time ?? 0, enough, !enough);
      }
  }
}
