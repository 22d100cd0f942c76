import { loadRules } from '../../src/evaluate/load-rules.js';
import type { CompiledRule } from '../../src/evaluate/rule-types.js';
import { fromRoot } from '../../src/util/package-root.js';

/** 50 rules: the 8 defaults, and variants of them at other thresholds (as a real set grows). */
export function fiftyRules(): CompiledRule[] {
  const defaults = loadRules([fromRoot('rules')]);
  const rules: CompiledRule[] = [];
  for (let i = 0; rules.length < 50; i++) {
    const base = defaults[i % defaults.length]!;
    rules.push({ ...base, name: `${base.name}-${i}`, threshold: base.threshold * (1 + (i % 5) / 10) });
  }
  return rules;
}
