import type { RuleEngine } from '../../evaluate/engine.js';
import { familyHeader, labelValue } from './exposition.js';

type Brief = ReturnType<RuleEngine['brief']> extends Iterable<infer B> ? B : never;

const ALERTS = familyHeader(
  'qoswatch_alerts',
  'Alerts by rule, severity and state (firing or pending), in the spirit of Prometheus ALERTS.',
);
const BREACHING = familyHeader(
  'qoswatch_rule_breaching_participants',
  'Participants with a pending or firing participant alert, per rule and live instance.',
);

/** The alerts of one rule: its severity, and how many are pending and firing. */
interface RuleCounts {
  severity: string;
  pending: number;
  firing: number;
}

/** The participants breaching one rule in one instance. */
interface InstanceCount {
  kind: string;
  id: string;
  n: number;
}

/**
 * The alert series counted from the engine's pending and firing alerts in one pass and rendered
 * as text: alerts by rule, severity and state, and per participant rule and live instance the
 * participants breaching it. Rendered here rather than by prom-client gauges reset and counted
 * label object by label object at every scrape (two passes over the alerts, a hash of the labels
 * per alert: about a fifth of a default scrape at 5,000 participants, issue 16). Counted in
 * maps keyed by the alerts' own strings (rule names, instance UUIDs: shared, their hashes kept),
 * labels rendered once per series.
 */
export function alertSeriesText(brief: Iterable<Brief>): string {
  const rules = new Map<string, RuleCounts[]>();
  const breaching = new Map<string, Map<string, InstanceCount[]>>();
  for (const a of brief) {
    let counts = rules.get(a.rule);
    if (!counts) rules.set(a.rule, (counts = []));
    let c = counts.find((c) => c.severity === a.severity);
    if (!c) counts.push((c = { severity: a.severity, pending: 0, firing: 0 }));
    c[a.state]++;
    if (a.scope !== 'participant') continue;
    let byUuid = breaching.get(a.rule);
    if (!byUuid) breaching.set(a.rule, (byUuid = new Map<string, InstanceCount[]>()));
    const uuid = a.instanceUuid ?? '';
    const kind = a.kind ?? '';
    const id = a.instanceId ?? '';
    let list = byUuid.get(uuid);
    if (!list) byUuid.set(uuid, (list = []));
    let i = list.find((i) => i.id === id && i.kind === kind);
    if (!i) list.push((i = { kind, id, n: 0 }));
    i.n++;
  }
  let out = ALERTS;
  for (const [rule, counts] of rules)
    for (const { severity, pending, firing } of counts) {
      const labels = `alertname="${labelValue(rule)}",severity="${labelValue(severity)}"`;
      if (pending) out += `qoswatch_alerts{${labels},state="pending"} ${pending}\n`;
      if (firing) out += `qoswatch_alerts{${labels},state="firing"} ${firing}\n`;
    }
  out += BREACHING;
  for (const [rule, byUuid] of breaching) {
    const alertname = labelValue(rule);
    for (const [uuid, list] of byUuid)
      for (const { kind, id, n } of list)
        out += `qoswatch_rule_breaching_participants{alertname="${alertname}",kind="${labelValue(kind)}",instance_id="${labelValue(id)}",instance_uuid="${labelValue(uuid)}"} ${n}\n`;
  }
  return out;
}
