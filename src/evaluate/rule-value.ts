import { CONTEXT_FIELDS } from '../normalize/catalog.js';
import type { ParticipantContext, QosSample } from '../normalize/sample.js';
import { average } from './average.js';
import type { CompiledRule, GroupField } from './rule-types.js';

/**
 * The value a rule reads from one sample: the worst (or average, average.ts) over its streams; undefined
 * when missing. Allocation-free but for an average over two or more streams (average.ts rounds it
 * through its decimal): it runs for every sample and rule of a cycle.
 */
export function ruleValue(rule: CompiledRule, s: QosSample): number | undefined {
  if (!rule.metric.perStream) return rule.metric.read(s);
  let best: number | undefined;
  let sum = 0;
  let n = 0;
  for (const stream in s.streams) {
    if (!rule.streamSet.has(stream)) continue;
    const v = rule.metric.read(s, stream);
    if (v === undefined) continue;
    sum += v;
    n++;
    if (best === undefined || (rule.above ? v > best : v < best)) best = v;
  }
  if (best === undefined) return undefined;
  return rule.aggregate === 'avg' ? average(sum, n) : best;
}

export const breaches = (r: CompiledRule, v: number): boolean =>
  r.above ? v > r.threshold : v < r.threshold;
export const recovers = (r: CompiledRule, v: number): boolean =>
  r.above ? v <= r.recoveryThreshold : v >= r.recoveryThreshold;

/** Where each `group_by` field sits in a sample's context. */
const GROUP_CONTEXT = Object.fromEntries(CONTEXT_FIELDS.map((f) => [f.rule, f.key])) as Record<
  GroupField,
  keyof ParticipantContext
>;

/** The group (a `group_by` rule's value) a participant context is in; undefined when unknown. */
export const groupOf = (rule: CompiledRule, c: ParticipantContext): string | undefined =>
  c[GROUP_CONTEXT[rule.groupBy!]];
