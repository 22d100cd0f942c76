import { Gauge, type Registry } from 'prom-client';
import type { RuleEngine } from '../../evaluate/engine.js';
import { scrapeGauge } from './common.js';

/** What the alert series read: pending and firing alerts in brief, the rules in force, the last reload. */
export interface AlertsView {
  brief: RuleEngine['brief'];
  rulesLoaded(): number;
  rulesReload(): { ok: boolean; at: number };
}

/** Alerts by rule and state, breaching participants per instance, and the rules' reload status. */
export function registerAlertMetrics(registry: Registry, view: AlertsView): void {
  const registers = [registry];
  new Gauge({
    name: 'qoswatch_alerts',
    help: 'Alerts by rule, severity and state (firing or pending), in the spirit of Prometheus ALERTS.',
    labelNames: ['alertname', 'severity', 'state'],
    registers,
    collect() {
      this.reset();
      for (const a of view.brief()) this.inc({ alertname: a.rule, severity: a.severity, state: a.state });
    },
  });
  new Gauge({
    name: 'qoswatch_rule_breaching_participants',
    help: 'Participants with a pending or firing participant alert, per rule and live instance.',
    labelNames: ['alertname', 'kind', 'instance_id', 'instance_uuid'],
    registers,
    collect() {
      this.reset();
      for (const a of view.brief())
        if (a.scope === 'participant')
          this.inc({
            alertname: a.rule,
            kind: a.kind ?? '',
            instance_id: a.instanceId ?? '',
            instance_uuid: a.instanceUuid ?? '',
          });
    },
  });
  scrapeGauge(
    registry,
    'qoswatch_rules_reload_success',
    'Whether the last rule reload succeeded (1) or was rejected (0).',
    () => (view.rulesReload().ok ? 1 : 0),
  );
  scrapeGauge(
    registry,
    'qoswatch_rules_reload_timestamp_seconds',
    'When the rules were last (re)loaded or a reload was rejected, Unix seconds.',
    () => view.rulesReload().at / 1000,
  );
  scrapeGauge(registry, 'qoswatch_rules_loaded', 'Rules in force.', () => view.rulesLoaded());
}
