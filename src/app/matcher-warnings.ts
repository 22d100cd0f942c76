import type { Config } from '../config/types.js';
import { alertLabelNames } from '../evaluate/render-alert.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import {
  inhibitReachWarnings,
  routeReachWarnings,
  silenceReachWarnings,
  silenceWarnings,
} from '../notify/route-check.js';
import type { FileProblem } from '../util/file-errors.js';

/**
 * The config's silences, routes and inhibit rules whose matchers reach more or less than they
 * seem to (notify/route-check.ts), at their file:line:col: said by `qoswatch check`, and logged
 * at start-up and at each rule reload (the labels alerts carry come from the rules).
 */
export function matcherProblems(config: Config, rules: readonly CompiledRule[], now: number): FileProblem[] {
  const { silences, route, inhibitRules } = config.notify;
  const labels = alertLabelNames(rules);
  return [
    ...silenceWarnings(silences),
    ...silenceReachWarnings(silences, labels, now),
    ...routeReachWarnings(route, labels),
    ...inhibitReachWarnings(inhibitRules, labels),
  ].map((w) => config.source.problemAt(w.path, w.message, true));
}
