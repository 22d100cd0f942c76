import { describe, expect, it } from 'vitest';
import type { ParticipantReport, Report, RuleBreach } from '../../src/report/types.js';
import { headline } from '../../src/report/values.js';

const breach: RuleBreach = {
  rule: 'audio-latency-high',
  severity: 'warning',
  metric: 'latency',
  threshold: '300 ms',
  minutes: 10,
  worst: '520 ms',
};
/** Only what the headline reads: names, breaches and the network type. */
function report(names: string[], bad: number): Report {
  const participants = names.map(
    (name, i) =>
      ({
        key: `k${i}`,
        name,
        breaches: i < bad ? [breach] : [],
        context: { networkType: 'Wifi' },
      }) as unknown as ParticipantReport,
  );
  return { participants } as unknown as Report;
}

describe('the report headline', () => {
  it.each([
    [['Cy'], 0, 'No participant breached a rule (1 participant).'],
    [['Cy', 'Ann', 'Bo'], 0, 'No participant breached a rule (3 participants).'],
    [['Cy'], 1, 'The only participant breached a rule; worst: Cy,'],
    [['Cy', 'Ann'], 2, 'Both participants breached a rule; worst: Cy,'],
    [['Cy', 'Ann', 'Bo'], 1, '1 of 3 participants breached a rule; worst: Cy,'],
    [['Cy', 'Ann', 'Bo'], 3, 'All 3 participants breached a rule; worst: Cy,'],
  ])('%j with %i breaching says "%s"', (names, bad, text) => {
    expect(headline(report(names, bad))).toContain(text);
  });
});
