import type { Config } from '../config/types.js';
import type { CompiledRule } from '../evaluate/rule-types.js';
import { formatProblem } from '../util/file-errors.js';

/**
 * A rule set without a rule (an empty folder, a file with `rules: []`) is valid, but nothing
 * alerts: said by `check` and logged at warn at start-up and at each reload that leaves none, at
 * the config's `rules.paths` (file:line:col, as check's other warnings; only a configured
 * `rules.paths` can name no rule: the shipped rules are never empty).
 * A reload to no rules is not refused: it may be meant (alerts off for a while, the daemon
 * still serving its metrics); its firing alerts resolve as those of any removed rule.
 */
export function noRulesWarning(
  rules: readonly CompiledRule[],
  config: Pick<Config, 'rules' | 'source'>,
): string | undefined {
  if (rules.length) return undefined;
  return formatProblem(
    config.source.problemAt(
      ['rules', 'paths'],
      `no rules in ${config.rules.paths.join(', ')}: nothing will alert; expected rule files with at least one rule there, or leave rules.paths out for the shipped rules`,
      true,
    ),
  );
}
