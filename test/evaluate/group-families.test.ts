import { describe, expect, it } from 'vitest';
import type { RawRule } from '../../src/evaluate/rule-types.js';
import { compareCase, describeMismatch, noneExercised } from '../helpers/engine-comparison.js';
import { randomCase, type EngineCase } from '../helpers/random-engine-case.js';

/** Other thresholds of the random rules' metrics (random-engine-case.ts), for a rule's twins. */
const OTHER: Record<string, readonly string[]> = {
  latency: ['200ms', '300ms', '400ms'],
  jitter: ['30ms', '40ms'],
  avg_loss: ['3%', '5%', '10%'],
  frame_rate: ['10fps', '15fps'],
  cpu_zoom_avg: ['70%', '80%'],
};

/**
 * Each meeting or shared-cause rule with twins: the same rule at each other threshold of its
 * metric (no recovery threshold, which may not suit it), so that group rules come in families
 * of several thresholds (group-keys.ts) whose readings are shared (shared-readings.ts).
 */
function withTwins(rules: readonly Partial<RawRule>[]): Partial<RawRule>[] {
  return rules.flatMap((r) => {
    if (!r.scope || r.scope === 'participant') return [r];
    const twins = (OTHER[r.metric!] ?? [])
      .filter((t) => t !== String(r.threshold))
      .map((threshold, k) => {
        const { recovery, ...rest } = r;
        const twin: Partial<RawRule> = { ...rest, name: `${r.name}t${k}`, threshold };
        if (recovery?.for) twin.recovery = { for: recovery.for };
        return twin;
      });
    return [r, ...twins];
  });
}

const twinned = (c: EngineCase): EngineCase => ({
  ...c,
  rules: withTwins(c.rules),
  events: c.events.map((e) => (e.type === 'reload' ? { ...e, rules: withTwins(e.rules) } : e)),
});

describe('group rules in families of several thresholds', () => {
  it('make the same alert changes as the reference evaluator, with readings shared by a family and reloaded while shared', () => {
    const total = noneExercised();
    for (let seed = 4100; seed < 4112; seed++) {
      const kase = twinned(randomCase(seed));
      const { mismatch, exercised } = compareCase(kase);
      if (mismatch) expect.fail(`seed ${seed}:\n${describeMismatch(kase, mismatch)}`);
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += exercised[k];
    }
    expect(total.changes).toBeGreaterThan(200);
    expect(total.groupLeft).toBeGreaterThan(5);
    expect(total.groupMoved).toBeGreaterThan(0);
    expect(total.regrouped).toBeGreaterThan(0);
  }, 60_000);
});
