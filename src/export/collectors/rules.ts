import type { Registry } from 'prom-client';
import { scrapeGauge } from './common.js';

/** What the rule series read: the rules in force, the last reload. */
export interface RulesView {
  rulesLoaded(): number;
  rulesReload(): { ok: boolean; at: number };
}

/**
 * The rules in force and their reload status. The alert series (alerts by rule and state,
 * breaching participants per instance) are rendered by alert-series.ts.
 */
export function registerRuleMetrics(registry: Registry, view: RulesView): void {
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
