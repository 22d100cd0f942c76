import type { Config } from '../config/types.js';
import { alertLabelNames } from '../evaluate/render-alert.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import {
  inhibitAlertnameWarnings,
  routeAlertnameWarnings,
  silenceAlertnameWarnings,
} from '../notify/alertname-check.js';
import {
  inhibitReachWarnings,
  routeReachWarnings,
  silenceReachWarnings,
  silenceWarnings,
} from '../notify/route-check.js';
import type { FileProblem } from '../util/file-errors.js';

/**
 * The config's silences, routes and inhibit rules whose matchers reach more or less than they
 * seem to (notify/route-check.ts, notify/alertname-check.ts), at their file:line:col: said by
 * `qoswatch check`, and logged at start-up and at each rule reload (the labels alerts carry and
 * the alertnames they can have come from the rules).
 */
export function matcherProblems(config: Config, rules: readonly CompiledRule[], now: number): FileProblem[] {
  const { silences, route, inhibitRules } = config.notify;
  const labels = alertLabelNames(rules);
  const names = rules.map((r) => r.name);
  return [
    ...silenceWarnings(silences),
    ...silenceReachWarnings(silences, labels, now),
    ...silenceAlertnameWarnings(silences, names),
    ...routeReachWarnings(route, labels),
    ...routeAlertnameWarnings(route, names),
    ...inhibitReachWarnings(inhibitRules, labels),
    ...inhibitAlertnameWarnings(inhibitRules, names),
  ].map((w) => config.source.problemAt(w.path, w.message, !w.atValue));
}
