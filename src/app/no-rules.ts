import type { CompiledRule } from '../evaluate/rule-types.js';

/**
 * A rule set without a rule (an empty folder, a file with `rules: []`) is valid, but nothing
 * alerts: said by `check` and logged at warn at start-up and at each reload that leaves none.
 * A reload to no rules is not refused: it may be meant (alerts off for a while, the daemon
 * still serving its metrics); its firing alerts resolve as those of any removed rule.
 */
export function noRulesWarning(rules: readonly CompiledRule[], paths: readonly string[]): string | undefined {
  if (rules.length) return undefined;
  return `no rules in ${paths.join(', ')}: nothing will alert; expected rule files with at least one rule there, or leave rules.paths out for the shipped rules`;
}
