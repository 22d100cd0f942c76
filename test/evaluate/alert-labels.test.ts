import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/evaluate/engine.js';
import { alertLabelNames } from '../../src/evaluate/render-alert.js';
import { loadRules } from '../../src/evaluate/load-rules.js';
import { MIN, rulesFrom, sample, writeRuleFile } from '../helpers/rules.js';

/**
 * `check` warns about a silence matcher on a label no alert carries (notify/route-check.ts), by
 * alertLabelNames: it must name every label alertLabels gives, and none that no alert has.
 */
describe('alertLabelNames', () => {
  it('names exactly the labels the alerts of its rules carry, of every scope', () => {
    const loss = { streams: ['audio_input'], metric: 'avg_loss', when: 'above' as const, threshold: '5%' };
    const rules = rulesFrom([
      { name: 'p', ...loss, labels: { team: 'noc' } },
      {
        name: 'i',
        scope: 'instance',
        ...loss,
        breaching: { count: 2 },
        min_participants: 2,
        labels: { pager: 'yes' },
      },
      {
        name: 'dc',
        scope: 'shared_cause',
        group_by: 'data_center',
        ...loss,
        breaching: { count: 2 },
        min_participants: 2,
      },
    ]);
    const engine = new RuleEngine(rules, { gapToleranceMs: 5 * MIN });
    const bad = { audio_input: { avgLoss: 0.09 } };
    const seen = new Set<string>();
    for (let m = 0; m < 6; m++)
      for (const c of engine.handle({ type: 'samples', samples: [sample('a', m, bad), sample('b', m, bad)] }))
        for (const label of Object.keys(c.alert.labels)) seen.add(label);
    expect(
      engine
        .active()
        .map((a) => a.rule)
        .sort(),
    ).toEqual(['dc', 'i', 'p', 'p']);
    expect([...seen].sort()).toEqual(alertLabelNames(rules).sort());
  });

  it("is what a rule's own labels may not be named: rules.schema.json refuses each label qoswatch sets", () => {
    const plain = {
      name: 'p',
      streams: ['audio_input'],
      metric: 'avg_loss',
      when: 'above' as const,
      threshold: '5%',
    };
    const names = alertLabelNames(rulesFrom([plain]));
    expect(names.length).toBeGreaterThan(5);
    const rule = (label: string): string =>
      `rules:\n  - name: p\n    streams: [audio_input]\n    metric: avg_loss\n    when: above\n    threshold: 5%\n    labels: { ${label}: x }\n`;
    expect(() => loadRules([writeRuleFile(rule('team'))])).not.toThrow();
    for (const name of names)
      expect(() => loadRules([writeRuleFile(rule(name))]), name).toThrow(`labels.${name}`);
  });
});
