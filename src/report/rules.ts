import type { Alert } from '../evaluate/alert.js';
import { RuleEngine } from '../evaluate/engine.js';
import { ruleValue } from '../evaluate/rule-value.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import { formatThreshold, formatValue } from '../evaluate/thresholds.js';
import type { InstanceRef, QosSample } from '../normalize/sample.js';
import type { FiredAlert, RuleBreach } from './types.js';

/** The participant-scope rules one sample breaches (over their threshold), with the value each saw. */
export function overRules(
  rules: readonly CompiledRule[],
  s: QosSample,
): { rule: CompiledRule; value: number }[] {
  const out: { rule: CompiledRule; value: number }[] = [];
  for (const rule of rules) {
    if (rule.scope !== 'participant' || !rule.sources.has(s.instance.kind) || !rule.matches(s)) continue;
    const v = ruleValue(rule, s);
    if (v !== undefined && (rule.above ? v > rule.threshold : v < rule.threshold))
      out.push({ rule, value: v });
  }
  return out;
}

/**
 * Minutes each participant-scope rule saw one participant's samples over its threshold (Zoom
 * samples once a minute: a breaching sample is a minute), and the worst value seen.
 */
export function breaches(rules: readonly CompiledRule[], samples: readonly QosSample[]): RuleBreach[] {
  const seen = new Map<CompiledRule, { minutes: number; worst: number }>();
  for (const s of samples)
    for (const { rule, value } of overRules(rules, s)) {
      const b = seen.get(rule);
      if (!b) seen.set(rule, { minutes: 1, worst: value });
      else {
        b.minutes++;
        if (rule.above ? value > b.worst : value < b.worst) b.worst = value;
      }
    }
  return rules
    .filter((rule) => seen.has(rule))
    .map((rule) => ({
      rule: rule.name,
      severity: rule.severity,
      metric: rule.metric.name,
      threshold: `${rule.above ? '>' : '<'} ${formatThreshold(rule.threshold, rule.metric)}`,
      minutes: seen.get(rule)!.minutes,
      worst: formatValue(seen.get(rule)!.worst, rule.metric, rule.threshold),
    }))
    .sort((a, b) => b.minutes - a.minutes);
}

/**
 * The alerts the daemon's rules fire on these samples, replayed minute by minute through the
 * same engine (`for`, recovery and gap tolerance included); those still firing at the end
 * resolve when the instance ends.
 */
export function replayAlerts(
  rules: CompiledRule[],
  gapToleranceMs: number,
  instance: InstanceRef,
  samples: readonly QosSample[],
  endAt: number | undefined,
): FiredAlert[] {
  const engine = new RuleEngine(rules, { gapToleranceMs });
  const byTime = new Map<number, QosSample[]>();
  for (const s of samples) byTime.set(s.time, [...(byTime.get(s.time) ?? []), s]);
  // The latest state of each alert that fired, and its value when it fired (a resolved
  // alert's own value is the recovered one).
  const fired = new Map<string, { alert: Alert; value: string }>();
  const note = (alerts: { alert: Alert; state: string }[]): void => {
    for (const c of alerts) {
      const seen = fired.get(c.alert.id);
      if (seen) seen.alert = c.alert;
      else if (c.state === 'firing') fired.set(c.alert.id, { alert: c.alert, value: c.alert.valueText });
    }
  };
  for (const t of [...byTime.keys()].sort((a, b) => a - b))
    note(engine.handle({ type: 'samples', samples: byTime.get(t)! }));
  const last = Math.max(...byTime.keys());
  if (endAt !== undefined) note(engine.handle({ type: 'ended', instance, at: Math.max(endAt, last) }));
  return [...fired.values()]
    .map(({ alert: a, value }) => {
      const out: FiredAlert = {
        rule: a.rule,
        severity: a.severity,
        scope: a.scope,
        since: a.firingSince ?? a.since,
        value,
        threshold: a.thresholdText,
      };
      if (a.resolvedAt !== undefined) out.until = a.resolvedAt;
      if (a.scope === 'participant' && a.context.participantKey) out.participant = a.context.participantKey;
      return out;
    })
    .sort((a, b) => a.since - b.since);
}
